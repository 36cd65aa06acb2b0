import { Hono } from 'hono'
import type { AppEnv, Deps } from '../context.js'
import { openApiDocument } from '../openapi/document.js'
import { refreshCookieName } from './refresh-cookie.js'

/** /openapi.json: the OpenAPI 3.1 document of every endpoint, no auth. Generated at its first request. */
export function openApiRoutes({ config }: Pick<Deps, 'config'>) {
  const app = new Hono<AppEnv>()
  let document: ReturnType<typeof openApiDocument> | undefined
  app.get('/openapi.json', (c) => {
    document ??= openApiDocument({ cookieName: refreshCookieName(config) })
    return c.json(document)
  })
  return app
}
