/** Lifetime of a launch link in seconds, whoever sets it (request, connection): 30 s to 24 h. */
export const LAUNCH_EXPIRY_BOUNDS = { min: 30, max: 24 * 3600 };
