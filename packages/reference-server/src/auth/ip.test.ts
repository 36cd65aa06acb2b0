import { describe, expect, it } from 'vitest'
import { clientAddress, parseTrustedProxies } from './client-address.js'
import { addressBudget, formatIp, inCidr, parseCidr, parseIp } from './ip.js'

const ip = (text: string) => {
  const parsed = parseIp(text)
  if (!parsed) throw new Error(`not an address: ${text}`)
  return parsed
}
const range = (text: string) => {
  const parsed = parseCidr(text)
  if (!parsed) throw new Error(`not a range: ${text}`)
  return parsed
}

describe('parseIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['2001:DB8::1', '2001:db8:0:0:0:0:0:1'],
    ['::', '0:0:0:0:0:0:0:0'],
    ['1::', '1:0:0:0:0:0:0:0'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['::ffff:1.2.3.4', '1.2.3.4'], // IPv4-mapped: the IPv4 address
    ['::ffff:0102:0304', '1.2.3.4'],
    ['64:ff9b::1.2.3.4', '64:ff9b:0:0:0:0:102:304'],
    ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:1'],
  ])('%s is %s', (text, formatted) => expect(formatIp(ip(text))).toBe(formatted))

  it.each([
    '',
    'unknown',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.4:80',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    ':1',
    '12345::',
    'g::1',
    '[::1]',
    '::ffff:1.2.3.256',
  ])('%o is not an address', (text) => expect(parseIp(text)).toBeNull())
})

describe('CIDR ranges', () => {
  it.each([
    ['10.1.2.3', '10.0.0.0/8', true],
    ['11.0.0.1', '10.0.0.0/8', false],
    ['192.168.1.77', '192.168.1.64/26', true],
    ['192.168.1.128', '192.168.1.64/26', false],
    ['1.2.3.4', '1.2.3.4', true],
    ['1.2.3.5', '1.2.3.4', false],
    ['1.2.3.4', '0.0.0.0/0', true],
    ['::1', '::1', true],
    ['::2', '::1', false],
    ['fd12:3456::1', 'fd00::/8', true],
    ['fe00::1', 'fd00::/8', false],
    ['2001:db8:0:1::1', '2001:db8::/63', true],
    ['2001:db8:0:2::1', '2001:db8::/63', false],
    ['::ffff:10.0.0.1', '10.0.0.0/8', true], // a mapped peer is matched as IPv4
    ['10.0.0.1', '::ffff:10.0.0.0/104', true], // and a mapped range counts its IPv4 bits
    ['10.0.0.1', '::/0', false], // IPv4 is never in an IPv6 range
    ['::1', '0.0.0.0/0', false],
  ])('%s in %s: %s', (address, cidr, inside) => expect(inCidr(ip(address), range(cidr))).toBe(inside))

  it.each([
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    'ten/8',
    '10.0.0.0/-1',
    '::ffff:1.2.3.4/95',
  ])('%o is not a range', (text) => expect(parseCidr(text)).toBeNull())

  it('a trusted-proxy list: addresses, ranges, loopback; the entries that are neither', () => {
    const { ranges, bad } = parseTrustedProxies(' 10.0.0.0/8, ::1 ,fd00::/8,loopback,,')
    expect(bad).toEqual([])
    expect(ranges).toHaveLength(5)
    expect(inCidr(ip('127.0.0.9'), ranges[3]!)).toBe(true)
    expect(parseTrustedProxies('10.0.0.0/8, proxy.internal, 10.0.0.0/40').bad).toEqual([
      'proxy.internal',
      '10.0.0.0/40',
    ])
  })
})

describe('addressBudget: an IPv4 address, or an IPv6 /64', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['2001:db8:1:2::1', '2001:db8:1:2:0:0:0:0/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2:0:0:0:0/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3:0:0:0:0/64'],
    ['unknown', 'unknown'],
  ])('%s counts as %s', (address, key) => expect(addressBudget(address)).toBe(key))
})

describe('clientAddress', () => {
  const trusted = parseTrustedProxies('10.0.0.0/8,fd00::/8,::1').ranges
  const from = (peer: string, headers: { xForwardedFor?: string; forwarded?: string }) =>
    clientAddress(peer, headers, trusted)

  it('an untrusted peer is the client, whatever it forwards', () => {
    expect(from('203.0.113.9', { xForwardedFor: '198.51.100.1' })).toBe('203.0.113.9')
    expect(from('203.0.113.9', { forwarded: 'for=198.51.100.1' })).toBe('203.0.113.9')
  })

  it('a trusted peer: X-Forwarded-For right to left, past trusted hops, to the first untrusted', () => {
    expect(from('10.0.0.2', { xForwardedFor: '198.51.100.1' })).toBe('198.51.100.1')
    // What the client wrote itself lies left of its own address: never reached.
    expect(from('10.0.0.2', { xForwardedFor: '1.1.1.1, 198.51.100.1' })).toBe('198.51.100.1')
    expect(from('10.0.0.2', { xForwardedFor: 'forged, 198.51.100.1, 10.0.0.3' })).toBe('198.51.100.1')
    expect(from('::1', { xForwardedFor: '198.51.100.1:5000, [fd00::7]:443' })).toBe('198.51.100.1')
    expect(from('::ffff:10.0.0.2', { xForwardedFor: '2001:db8::1' })).toBe('2001:db8:0:0:0:0:0:1')
    // Every hop trusted: the leftmost.
    expect(from('10.0.0.2', { xForwardedFor: '10.0.0.9, 10.0.0.3' })).toBe('10.0.0.9')
  })

  it('Forwarded: the for= of each element, quoted IPv6 with a port included', () => {
    expect(from('10.0.0.2', { forwarded: 'for="[2001:db8::1]:4711"' })).toBe('2001:db8:0:0:0:0:0:1')
    expect(from('10.0.0.2', { forwarded: 'for=192.0.2.60;proto=https;by=10.0.0.2' })).toBe('192.0.2.60')
    expect(from('10.0.0.2', { forwarded: 'for=1.1.1.1, For="192.0.2.43:80";proto=http, for=10.0.0.5' })).toBe(
      '192.0.2.43',
    )
  })

  it('falls back to the peer for a hop that cannot be read, no header, or both headers', () => {
    for (const headers of [
      { xForwardedFor: 'not-an-address' },
      { xForwardedFor: '' },
      { xForwardedFor: '198.51.100.1, garbage' },
      { forwarded: 'for=unknown' },
      { forwarded: 'for=_hidden' },
      { forwarded: 'proto=https' },
      {},
      // A proxy writes one of the two; the other is the client's, and which is which cannot be told.
      { xForwardedFor: '198.51.100.1', forwarded: 'for=198.51.100.2' },
    ])
      expect(from('10.0.0.2', headers)).toBe('10.0.0.2')
    // Left of the first untrusted hop, nothing is read, so junk there changes nothing.
    expect(from('10.0.0.2', { xForwardedFor: 'garbage, 198.51.100.1' })).toBe('198.51.100.1')
  })
})
