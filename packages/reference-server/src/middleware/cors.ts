import { cors } from 'hono/cors'
import type { ServerConfig } from '../config.js'

/** CORS with credentials for `config.corsOrigins` (the only origins that may call with the refresh cookie). */
export const corsFor = (config: Pick<ServerConfig, 'corsOrigins'>) =>
  cors({
    origin: config.corsOrigins,
    credentials: true,
    allowHeaders: ['Authorization', 'Content-Type'],
    // DELETE: /auth/sessions/:id, the SDK's revokeSession.
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    maxAge: 600,
  })
