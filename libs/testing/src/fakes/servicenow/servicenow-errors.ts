/**
 * A request ServiceNow refuses, answered with its error shape:
 * `{ error: { message, detail }, status: "failure" }`.
 */
export class ServiceNowApiError extends Error {
  override readonly name = 'ServiceNowApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly detail: string | null,
  ) {
    super(message);
  }

  toBody(): { error: { message: string; detail: string | null }; status: 'failure' } {
    return { error: { message: this.message, detail: this.detail }, status: 'failure' };
  }
}

export function noRecordFound(): ServiceNowApiError {
  return new ServiceNowApiError(
    404,
    'No Record found',
    "Record doesn't exist or ACL restricts the record retrieval",
  );
}

export function invalidTable(table: string): ServiceNowApiError {
  return new ServiceNowApiError(400, `Invalid table ${table}`, null);
}

export function dataPolicyException(fieldLabels: readonly string[]): ServiceNowApiError {
  return new ServiceNowApiError(
    403,
    'Operation Failed',
    `Data Policy Exception: \n\tThe following fields are mandatory: ${fieldLabels.join(', ')}\n`,
  );
}

export function aclUpdateException(): ServiceNowApiError {
  return new ServiceNowApiError(
    403,
    'Operation Failed',
    'ACL Exception Update Failed due to security constraints',
  );
}
