// Coffer's access review on the management API (not an Azure operation): per vault, who can do what and when each
// principal last used its access. Reading it needs the right to read role assignments on the vault (Owner, User
// Access Administrator, Reader…), since it discloses them.
import type { AccessReview } from '../../domain/access/access-review.js';
import { armErrors } from '../../errors.js';
import { defineManagementOperation, type ManagementContext, type ManagementOperation } from './define-management-operation.js';

export interface AccessReviewServices {
  accessReview(vaultName: string, unusedDays: number, within: { subscriptionId: string; resourceGroup: string }): Promise<AccessReview | undefined>;
}

const DEFAULT_UNUSED_DAYS = 90;

export const accessReviewOperations: Array<ManagementOperation<AccessReviewServices>> = [
  defineManagementOperation<AccessReviewServices>({
    method: 'GET',
    path: ':subscriptionId/resourceGroups/:resourceGroup/providers/Microsoft.KeyVault/vaults/:vaultName/accessReview',
    operationName: 'VaultAccessReview',
    action: 'Microsoft.Authorization/roleAssignments/read',
    async handle(ctx: ManagementContext, { params, query }, { accessReview }) {
      ctx.subscriptionId = params.subscriptionId ?? '';
      ctx.resourceGroup = params.resourceGroup ?? '';
      ctx.vaultName = params.vaultName ?? '';
      const raw = query.unusedDays ?? String(DEFAULT_UNUSED_DAYS);
      const unusedDays = Number(raw);
      if (!/^\d{1,4}$/.test(raw) || unusedDays < 1) throw armErrors.badRequest('unusedDays', `unusedDays must be a whole number of days from 1 to 9999, not '${raw}'.`);
      const review = await accessReview(ctx.vaultName, unusedDays, { subscriptionId: ctx.subscriptionId, resourceGroup: ctx.resourceGroup });
      if (!review) throw armErrors.resourceNotFound(ctx.vaultName, ctx.resourceGroup);
      return { body: review };
    },
  }),
];
