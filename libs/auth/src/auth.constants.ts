/** Name of the OpenAPI security scheme; main.ts registers it with `addBearerAuth(..., API_KEY_SECURITY)`. */
export const API_KEY_SECURITY = 'api-key';
/** Name under which the bearer API-key strategy is registered with passport. */
export const API_KEY_STRATEGY = 'api-key';
export const IS_PUBLIC_KEY = 'auth:public';
export const AUTH_POLICY_KEY = 'auth:policy';
