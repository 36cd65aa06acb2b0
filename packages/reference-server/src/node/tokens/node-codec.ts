import { createHash, createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto'
import { type AccessClaims, type ParsedToken, signedHeader } from '../../tokens/claims.js'
import {
  keyInfo,
  type SigningKey,
  SUBJECT_MAC_BYTES,
  subjectKeyInfo,
  type TokenCodec,
} from '../../tokens/codec.js'

interface NodeKey extends SigningKey {
  readonly codec: 'node'
  readonly key: KeyObject
}

function asNodeKey(key: SigningKey): NodeKey {
  if (key.codec !== 'node') throw new TypeError(`a ${key.codec} key was given to the node codec`)
  return key as NodeKey
}

/** The hot path: node:crypto HMAC and a constant-time compare, on a key object derived once per user. */
export const nodeCodec: TokenCodec = {
  name: 'node',
  async deriveKey(globalSecret, epoch, userSecret) {
    const raw = createHmac('sha256', globalSecret).update(keyInfo(epoch, userSecret)).digest()
    return { codec: 'node', key: createSecretKey(raw) } as NodeKey
  },
  async deriveSubjectKey(globalSecret) {
    const raw = createHmac('sha256', globalSecret).update(subjectKeyInfo).digest()
    return { codec: 'node', key: createSecretKey(raw) } as NodeKey
  },
  subjectMac: (sub, key) =>
    createHmac('sha256', asNodeKey(key).key)
      .update(sub)
      .digest()
      .subarray(0, SUBJECT_MAC_BYTES)
      .toString('base64url'),
  async sign(claims: AccessClaims, key, kid) {
    const input = `${signedHeader(kid)}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
    const mac = createHmac('sha256', asNodeKey(key).key).update(input).digest('base64url')
    return `${input}.${mac}`
  },
  verify(token: ParsedToken, key) {
    // parseToken has checked the signature is the canonical 43-character spelling of 32 bytes.
    const given = Buffer.from(token.signature, 'base64url')
    const expected = createHmac('sha256', asNodeKey(key).key).update(token.signingInput).digest()
    return given.length === expected.length && timingSafeEqual(given, expected)
  },
  decode: (segment) => Buffer.from(segment, 'base64url').toString('utf8'),
  hashRefreshToken: (token) => createHash('sha256').update(token).digest('hex'),
}
