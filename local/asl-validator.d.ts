/** asl-validator 4 ships no type declarations; this is the part of its API the local harness uses. */
declare module 'asl-validator' {
  export interface AslValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  export interface AslValidationError {
    'Error code': string;
    Message: string;
    [other: string]: unknown;
  }
  export interface AslValidationResult {
    isValid: boolean;
    errors: AslValidationError[];
    errorsText(separator?: string): string;
  }
  /** Note: it mutates `definition` (adds `QueryLanguage: "JSONPath"` to every state); pass a copy. */
  export default function aslValidator(
    definition: unknown,
    options?: AslValidatorOptions,
  ): AslValidationResult;
}
