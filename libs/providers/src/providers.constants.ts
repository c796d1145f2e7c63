/** Multi-provider token: the array of every LoginLinkProvider implementation. */
export const LOGIN_LINK_PROVIDERS = Symbol('LOGIN_LINK_PROVIDERS');
