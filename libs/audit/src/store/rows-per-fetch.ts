/**
 * Rows per FETCH from a server-side cursor over audit events (or their checkpoints), where a
 * broker instance reads them: the checkpoint round, the verify route. PostgreSQL sends a FETCH's
 * rows at once and the pg driver parses all that reached the socket in one go, while the links
 * this instance serves wait. With the hashing already sliced, verifying 25,000 events held the
 * event loop 45-49 ms at most at 2,000 per FETCH, 14-22 ms at 250 (docs/performance.md#eighth-pass).
 */
export const ROWS_PER_FETCH = 250;
