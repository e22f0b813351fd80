/** An RDS client fault as the SDK raises it (name, 400), for the local adapters that answer in moto's stead. */
export class RdsFault extends Error {
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}
