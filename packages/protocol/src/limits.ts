/** The most of a sign-in's User-Agent a session keeps (`SignedInSession.user_agent`): the rest is cut. */
export const MAX_USER_AGENT_LENGTH = 512

/** The most sessions `GET /auth/sessions` lists: the newest. */
export const MAX_LISTED_SESSIONS = 100
