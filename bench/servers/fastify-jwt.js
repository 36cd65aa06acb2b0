// The stateless peer of fastify-leash.js: a Fastify 5 app with GET /api/profile behind @fastify/jwt
// (`request.jwtVerify()` in a preHandler; fast-jwt underneath), HS256 with issuer and audience checked.
// No store, no revocation. Same route, same response.
import fastifyJwt from '@fastify/jwt'
import Fastify from 'fastify'
import {
  AUDIENCE,
  checkProfile,
  FIXED_SECRET,
  ISSUER,
  PROFILE_PATH,
  PROFILE_TOKEN,
  PROFILE_USER,
  ready,
} from './common.js'

const app = Fastify()
await app.register(fastifyJwt, {
  secret: FIXED_SECRET,
  verify: { algorithms: ['HS256'], allowedIss: ISSUER, allowedAud: AUDIENCE },
})
app.get(
  PROFILE_PATH,
  {
    preHandler: async (request) => {
      await request.jwtVerify()
    },
  },
  async (request) => ({
    user: { id: request.user.sub, username: request.user.username, role: request.user.role },
  }),
)

const url = await app.listen({ port: 0, host: '127.0.0.1' })
await checkProfile(url, PROFILE_PATH, PROFILE_TOKEN, PROFILE_USER)
ready({ url, path: PROFILE_PATH, token: PROFILE_TOKEN }, () => app.close())
