import { ConfigFileError } from '@hum/config';

/** The risk policy file is invalid. */
export class RiskPolicyError extends ConfigFileError {
  override readonly name = 'RiskPolicyError';
}

/** The asset catalogue file is invalid. */
export class AssetCatalogueError extends ConfigFileError {
  override readonly name = 'AssetCatalogueError';
}
