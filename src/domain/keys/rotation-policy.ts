// A key's rotation policy: Azure's rules for what UpdateKeyRotationPolicy accepts, the default policy of a key that
// has none, ISO 8601 durations and calendar arithmetic on them, and when a key version is next due to rotate or
// notify. Pure: no storage, no clock.
import { errors } from '../../errors.js';

export type LifetimeActionType = 'Rotate' | 'Notify';

/** Exactly one of the two, as Azure's LifetimeActionsTrigger; durations are ISO 8601 text as the caller sent it. */
export type LifetimeTrigger = { timeAfterCreate: string } | { timeBeforeExpiry: string };

export interface LifetimeAction {
  type: LifetimeActionType;
  trigger: LifetimeTrigger;
}

/** What a caller sets: the lifetime actions and the expiry given to versions the policy creates. */
export interface RotationPolicyRules {
  lifetimeActions: LifetimeAction[];
  /** ISO 8601 duration applied as `exp` to each new version made by rotation, or null for none. */
  expiryTime: string | null;
}

/** A policy as GetKeyRotationPolicy shows it; `created`/`updated` are null for the default policy. */
export interface RotationPolicy extends RotationPolicyRules {
  created: number | null;
  updated: number | null;
}

/** Where the rotation scheduler stands with one key: when it is next due, and what that was computed from. */
export interface RotationSchedule {
  nextRotateAt: number | null;
  nextNotifyAt: number | null;
  /** The version whose near-expiry event was recorded: one event per version. */
  notifiedVersion: string | null;
  /** The key's current version as the due times were computed; null when they must be computed again. */
  basis: { version: string; expires: number | null; enabled: boolean } | null;
}

/** A key's stored policy with its schedule. */
export interface StoredRotationPolicy {
  vaultId: string;
  /** The key's lower-case name (objects.name_key); the key itself keeps the caller's case. */
  nameKey: string;
  /** The key object the policy belongs to. */
  objectId: string;
  rules: RotationPolicyRules;
  created: number;
  updated: number;
  schedule: RotationSchedule;
}

/** An ISO 8601 duration's designated parts (PnYnMnWnDTnHnMnS), whole numbers only. */
export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DAY = 86_400;
// Azure documents these minimums (keys.json KeyRotationPolicyAttributes.expiryTime; how-to-configure-key-rotation:
// "the minimum value is seven days from creation and seven days from expiration time").
const MIN_EXPIRY_SECONDS = 28 * DAY;
const MIN_ROTATION_SECONDS = 7 * DAY;
// Not Azure's: a bound that keeps every computed time inside what Date can represent.
const MAX_DURATION_SECONDS = 10_000 * 365 * DAY;
/** Azure: "Notification time would be default to 30 days before expiry". */
const DEFAULT_NOTIFY_BEFORE_EXPIRY = 'P30D';

const ACTION_TYPES: ReadonlyMap<string, LifetimeActionType> = new Map([['rotate', 'Rotate'], ['notify', 'Notify']]);

const DURATION_PATTERN = /^P(?!$)(?:(\d{1,9})Y)?(?:(\d{1,9})M)?(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?=\d)(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9})S)?)?$/;

/** Parses an ISO 8601 duration such as P90D, P3M, PT48H, P1Y10D or P2W; `field` names it in the error. */
export function parseDuration(text: string, field: string): Duration {
  const match = DURATION_PATTERN.exec(text);
  if (!match) {
    throw errors.badParameter(
      `${field} '${text}' is not an ISO 8601 duration. Use whole numbers with the designators PnYnMnWnDTnHnMnS, for example P90D, P3M, PT48H or P1Y10D.`,
    );
  }
  const [years, months, weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [
    number, number, number, number, number, number, number,
  ];
  const duration = { years, months, weeks, days, hours, minutes, seconds };
  if (nominalSeconds(duration) > MAX_DURATION_SECONDS) throw errors.badParameter(`${field} '${text}' is longer than this server supports (10000 years).`);
  return duration;
}

/**
 * The length used to check Azure's minimums: a year counts 365 days and a month 30, so a policy is accepted or
 * refused the same way whatever day it is set on. Scheduling uses the calendar instead (addDuration).
 */
export function nominalSeconds(d: Duration): number {
  return (d.years * 365 + d.months * 30 + d.weeks * 7 + d.days) * DAY + d.hours * 3600 + d.minutes * 60 + d.seconds;
}

/**
 * `time` (Unix seconds) moved by `duration` on the UTC calendar, forward or (direction -1) back: years and months
 * first, keeping the day of the month and clamping it to the month's last day (Jan 31 + P1M is Feb 28 or 29),
 * then weeks, days and the time part as exact seconds.
 */
export function addDuration(time: number, duration: Duration, direction: 1 | -1 = 1): number {
  const date = new Date(time * 1000);
  const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth() + direction * (duration.years * 12 + duration.months);
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  const shifted = Date.UTC(year, month, day, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()) / 1000;
  const exact = (duration.weeks * 7 + duration.days) * DAY + duration.hours * 3600 + duration.minutes * 60 + duration.seconds;
  return shifted + direction * exact;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The policy of a key that never had one set: notify 30 days before expiry, no rotation, no expiryTime. */
export function defaultRotationPolicy(): RotationPolicy {
  return { lifetimeActions: [defaultNotifyAction()], expiryTime: null, created: null, updated: null };
}

function defaultNotifyAction(): LifetimeAction {
  return { type: 'Notify', trigger: { timeBeforeExpiry: DEFAULT_NOTIFY_BEFORE_EXPIRY } };
}

/**
 * Validates an UpdateKeyRotationPolicy body (Azure's KeyRotationPolicy JSON) and returns the rules to store. Read-only
 * members (`id`, `attributes.created`, `attributes.updated`) and unknown members are ignored, as Azure does.
 *
 * PUT replaces the whole policy. Azure keeps a Notify action on every policy: one the caller leaves out is the
 * default (30 days before expiry), and an empty `lifetimeActions` resets the actions to the default — the SDKs
 * document that, and recorded Azure responses add the Notify action to a PUT that only had Rotate.
 */
export function parseRotationPolicy(input: unknown): RotationPolicyRules {
  if (!isObject(input)) throw errors.badParameter('The key rotation policy must be a JSON object.');

  let expiryTime: string | null = null;
  let expiry: Duration | null = null;
  if (input.attributes !== undefined && input.attributes !== null) {
    if (!isObject(input.attributes)) throw errors.badParameter('attributes must be a JSON object.');
    const text = optionalDurationText(input.attributes.expiryTime, 'attributes.expiryTime');
    if (text !== null) {
      expiry = parseDuration(text, 'attributes.expiryTime');
      if (nominalSeconds(expiry) < MIN_EXPIRY_SECONDS) {
        throw errors.badParameter(`attributes.expiryTime '${text}' is too short: the expiry time of a rotation policy must be at least 28 days (P28D).`);
      }
      expiryTime = text;
    }
  }

  const actions: LifetimeAction[] = [];
  const raw = input.lifetimeActions;
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) throw errors.badParameter('lifetimeActions must be an array.');
    // keys.json: "lifetimeActions can only have two items at maximum: one for rotate, one for notify".
    if (raw.length > 2) throw errors.badParameter(`lifetimeActions has ${raw.length} items; a policy has at most two: one Rotate and one Notify.`);
    raw.forEach((item, index) => {
      const action = parseLifetimeAction(item, `lifetimeActions[${index}]`, expiry, expiryTime);
      if (actions.some((other) => other.type === action.type)) {
        throw errors.badParameter(`lifetimeActions has more than one ${action.type} action; a policy has at most one of each.`);
      }
      actions.push(action);
    });
  }
  if (!actions.some((action) => action.type === 'Notify')) actions.push(defaultNotifyAction());
  return { lifetimeActions: actions, expiryTime };
}

function parseLifetimeAction(item: unknown, at: string, expiry: Duration | null, expiryTime: string | null): LifetimeAction {
  if (!isObject(item)) throw errors.badParameter(`${at} must be a JSON object with 'trigger' and 'action'.`);
  if (!isObject(item.action)) throw errors.badParameter(`${at}.action must be a JSON object with a 'type'.`);
  const typeText = item.action.type;
  // keys.json: "The value should be compared case-insensitively."
  const type = typeof typeText === 'string' ? ACTION_TYPES.get(typeText.toLowerCase()) : undefined;
  if (type === undefined) {
    throw errors.badParameter(`${at}.action.type ${typeof typeText === 'string' ? `'${typeText}'` : 'is missing or'} is not a lifetime action type; use Rotate or Notify.`);
  }
  if (!isObject(item.trigger)) throw errors.badParameter(`${at}.trigger must be a JSON object.`);
  const afterCreate = optionalDurationText(item.trigger.timeAfterCreate, `${at}.trigger.timeAfterCreate`);
  const beforeExpiry = optionalDurationText(item.trigger.timeBeforeExpiry, `${at}.trigger.timeBeforeExpiry`);

  if (type === 'Notify') {
    // keys.json: timeAfterCreate "only applies to rotate".
    if (afterCreate !== null) throw errors.badParameter(`${at}: a Notify action takes only timeBeforeExpiry; timeAfterCreate applies to Rotate.`);
    if (beforeExpiry === null) throw errors.badParameter(`${at}: a Notify action needs trigger.timeBeforeExpiry.`);
    const before = parseDuration(beforeExpiry, `${at}.trigger.timeBeforeExpiry`);
    if (nominalSeconds(before) === 0) throw errors.badParameter(`${at}.trigger.timeBeforeExpiry '${beforeExpiry}' must be longer than zero.`);
    return { type, trigger: { timeBeforeExpiry: beforeExpiry } };
  }

  if ((afterCreate === null) === (beforeExpiry === null)) {
    throw errors.badParameter(`${at}: a Rotate action needs exactly one of trigger.timeAfterCreate and trigger.timeBeforeExpiry.`);
  }
  const expirySeconds = expiry === null ? null : nominalSeconds(expiry);
  if (afterCreate !== null) {
    const after = nominalSeconds(parseDuration(afterCreate, `${at}.trigger.timeAfterCreate`));
    if (after < MIN_ROTATION_SECONDS) {
      throw errors.badParameter(`${at}.trigger.timeAfterCreate '${afterCreate}' is too short: a key can rotate 7 days (P7D) after creation at the earliest.`);
    }
    if (expirySeconds !== null && expirySeconds - after < MIN_ROTATION_SECONDS) {
      throw errors.badParameter(
        `${at}.trigger.timeAfterCreate '${afterCreate}' is too long for attributes.expiryTime '${expiryTime}': a key must rotate at least 7 days before it expires.`,
      );
    }
    return { type, trigger: { timeAfterCreate: afterCreate } };
  }
  const before = nominalSeconds(parseDuration(beforeExpiry!, `${at}.trigger.timeBeforeExpiry`));
  // how-to-configure-key-rotation: rotating before expiry "requires 'Expiry Time' set on rotation policy".
  if (expirySeconds === null) {
    throw errors.badParameter(`${at}: a Rotate action with timeBeforeExpiry needs attributes.expiryTime on the policy, so that rotated versions expire.`);
  }
  if (before < MIN_ROTATION_SECONDS) {
    throw errors.badParameter(`${at}.trigger.timeBeforeExpiry '${beforeExpiry}' is too short: a key must rotate at least 7 days (P7D) before it expires.`);
  }
  if (expirySeconds - before < MIN_ROTATION_SECONDS) {
    throw errors.badParameter(
      `${at}.trigger.timeBeforeExpiry '${beforeExpiry}' is too long for attributes.expiryTime '${expiryTime}': a key can rotate 7 days after creation at the earliest.`,
    );
  }
  return { type, trigger: { timeBeforeExpiry: beforeExpiry! } };
}

/**
 * A duration member that may be absent. Azure's own samples send `null` (CLI policy file) and `""` (ARM template)
 * for the trigger a Rotate action does not use, so both mean absent.
 */
function optionalDurationText(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw errors.badParameter(`${field} must be an ISO 8601 duration string, such as P90D.`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** When a key version is next due: to rotate, and to have its near-expiry event; null for never. */
export interface DueTimes {
  rotateAt: number | null;
  notifyAt: number | null;
}

/**
 * When the version created at `createdAt` (expiring at `expires`, or never) is due under `policy`. Triggers before
 * expiry need the version to have an expiry date, as Azure documents ("requires ... 'Expiration Date' set on the
 * key"); without one they never fire.
 */
export function dueTimes(version: { createdAt: number; expires: number | null }, policy: RotationPolicyRules): DueTimes {
  let rotateAt: number | null = null;
  let notifyAt: number | null = null;
  for (const action of policy.lifetimeActions) {
    let at: number | null;
    if ('timeAfterCreate' in action.trigger) {
      at = addDuration(version.createdAt, parseDuration(action.trigger.timeAfterCreate, 'timeAfterCreate'));
    } else {
      at = version.expires === null ? null : addDuration(version.expires, parseDuration(action.trigger.timeBeforeExpiry, 'timeBeforeExpiry'), -1);
    }
    if (action.type === 'Rotate') rotateAt = at;
    else notifyAt = at;
  }
  return { rotateAt, notifyAt };
}

/** The `exp` a version made by rotation at `now` gets: now + expiryTime, or null when the policy has none. */
export function rotatedExpiry(now: number, policy: RotationPolicyRules): number | null {
  return policy.expiryTime === null ? null : addDuration(now, parseDuration(policy.expiryTime, 'expiryTime'));
}

/** Azure's KeyRotationPolicy JSON. The default policy has no created/updated, so its attributes are `{}`. */
export interface WireRotationPolicy {
  id: string;
  lifetimeActions: Array<{ trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string }; action: { type: LifetimeActionType } }>;
  attributes: { expiryTime?: string; created?: number; updated?: number };
}

export function toWirePolicy(baseUrl: string, name: string, policy: RotationPolicy): WireRotationPolicy {
  return {
    id: `${baseUrl}/keys/${name}/rotationpolicy`,
    lifetimeActions: policy.lifetimeActions.map((action) => ({ trigger: { ...action.trigger }, action: { type: action.type } })),
    attributes: {
      ...(policy.expiryTime === null ? {} : { expiryTime: policy.expiryTime }),
      ...(policy.created === null ? {} : { created: policy.created }),
      ...(policy.updated === null ? {} : { updated: policy.updated }),
    },
  };
}
