/** An error answer in the awsJson1_1 shape: HTTP status, `x-amzn-ErrorType` header, `{"__type","message"}` body. */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export function validation(message: string): ApiError {
  return new ApiError('ValidationException', message);
}
