/**
 * Point every AWS SDK v3 client created afterwards at a local endpoint (moto) with dummy credentials.
 *
 * Product code reaches AWS only through SDK clients, and SDK v3 reads `AWS_ENDPOINT_URL` itself, so setting
 * the environment is all the plumbing there is. Settings that would override or disable it
 * (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`) and real-credential selectors
 * (`AWS_PROFILE`, `AWS_SESSION_TOKEN`) are removed while the local environment is in force.
 */

/** moto's default account id. */
export const LOCAL_ACCOUNT_ID = '123456789012';
export const LOCAL_ACCESS_KEY = 'testing';

const SET_KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_EC2_METADATA_DISABLED',
] as const;

const REMOVED_KEYS = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
];

/** Sets the environment for local AWS and returns a function restoring exactly what was there before. */
export function useLocalAws(endpoint: string, region = 'us-east-1'): () => void {
  const touched = [
    ...SET_KEYS,
    ...REMOVED_KEYS,
    ...Object.keys(process.env).filter((key) => key.startsWith('AWS_ENDPOINT_URL_')),
  ];
  const saved = new Map<string, string | undefined>(touched.map((key) => [key, process.env[key]]));
  for (const key of touched) delete process.env[key];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: LOCAL_ACCESS_KEY,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
