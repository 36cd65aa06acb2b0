import { compactVerify, SignJWT } from 'jose'
import { type AccessClaims, jwtHeader, type ParsedToken, signedHeader } from './claims.js'
import { keyInfo, type SigningKey, SUBJECT_MAC_BYTES, subjectKeyInfo, type TokenCodec } from './codec.js'
import { sha256 } from './random.js'

interface JoseKey extends SigningKey {
  readonly codec: 'jose'
  readonly key: CryptoKey
}

const utf8 = new TextEncoder()
const text = new TextDecoder('utf-8')

function asJoseKey(key: SigningKey): JoseKey {
  if (key.codec !== 'jose') throw new TypeError(`a ${key.codec} key was given to the jose codec`)
  return key as JoseKey
}

function base64urlToBytes(segment: string): Uint8Array {
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return bytes
}

function bytesToBase64url(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** The portable codec: jose over WebCrypto. Runs in browsers and in the msw form; the reference for `nodeCodec`. */
export const joseCodec: TokenCodec = {
  name: 'jose',
  async deriveKey(globalSecret, epoch, userSecret) {
    const hmac = { name: 'HMAC', hash: 'SHA-256' }
    const global = await crypto.subtle.importKey('raw', utf8.encode(globalSecret), hmac, false, ['sign'])
    const raw = await crypto.subtle.sign('HMAC', global, utf8.encode(keyInfo(epoch, userSecret)))
    const key = await crypto.subtle.importKey('raw', raw, hmac, false, ['sign', 'verify'])
    return { codec: 'jose', key } as JoseKey
  },
  async deriveSubjectKey(globalSecret) {
    const hmac = { name: 'HMAC', hash: 'SHA-256' }
    const global = await crypto.subtle.importKey('raw', utf8.encode(globalSecret), hmac, false, ['sign'])
    const raw = await crypto.subtle.sign('HMAC', global, utf8.encode(subjectKeyInfo))
    const key = await crypto.subtle.importKey('raw', raw, hmac, false, ['sign'])
    return { codec: 'jose', key } as JoseKey
  },
  async subjectMac(sub, key) {
    const mac = await crypto.subtle.sign('HMAC', asJoseKey(key).key, utf8.encode(sub))
    return bytesToBase64url(new Uint8Array(mac, 0, SUBJECT_MAC_BYTES))
  },
  async sign(claims: AccessClaims, key, kid) {
    signedHeader(kid) // checks the id, and lets parseToken recognise the header without parsing it
    return new SignJWT({ ...claims }).setProtectedHeader(jwtHeader(kid)).sign(asJoseKey(key).key)
  },
  async verify(token: ParsedToken, key) {
    try {
      await compactVerify(token.token, asJoseKey(key).key, { algorithms: ['HS256'] })
      return true
    } catch {
      return false
    }
  },
  decode(segment) {
    try {
      return text.decode(base64urlToBytes(segment))
    } catch {
      return ''
    }
  },
  hashRefreshToken: sha256,
}
