import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from '../auth.constants';

/** Opens a route to callers without an API key. Keep it rare: every use is a security decision. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
