// IP addresses and CIDR ranges, portable (no node:net): what the attempt limits key on and what a
// trusted proxy is matched by. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, as a dual-stack socket
// reports an IPv4 peer) is the IPv4 address it maps.

/** An address: 4 bytes (IPv4) or 16 (IPv6). */
export interface Ip {
  v4: boolean
  bytes: number[]
}

/** A range: an address and how many leading bits of it count. */
export interface Cidr extends Ip {
  prefix: number
}

function parseV4(text: string): number[] | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const bytes: number[] = []
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null
    bytes.push(Number(part))
  }
  return bytes
}

function parseV6(text: string): number[] | null {
  let s = text.replace(/%[\w.-]+$/, '') // a zone (`fe80::1%eth0`) names an interface, not another host
  const last = s.lastIndexOf(':')
  if (last !== -1 && s.slice(last + 1).includes('.')) {
    const v4 = parseV4(s.slice(last + 1))
    if (!v4) return null
    s = `${s.slice(0, last + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`
  }
  const halves = s.split('::')
  if (halves.length > 2) return null
  const groups = (h: string) => (h === '' ? [] : h.split(':'))
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  const given = head.length + tail.length
  if (halves.length === 1 ? given !== 8 : given > 7) return null
  const bytes: number[] = []
  for (const group of [...head, ...Array<string>(8 - given).fill('0'), ...tail]) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null
    const n = Number.parseInt(group, 16)
    bytes.push(n >> 8, n & 0xff)
  }
  return bytes
}

const isMapped = (b: number[]) => b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff

/** The address in `text` (no brackets, no port), or null when it is not one. */
export function parseIp(text: string): Ip | null {
  const s = text.trim()
  if (!s.includes(':')) {
    const bytes = parseV4(s)
    return bytes && { v4: true, bytes }
  }
  const bytes = parseV6(s)
  if (!bytes) return null
  return isMapped(bytes) ? { v4: true, bytes: bytes.slice(12) } : { v4: false, bytes }
}

/** `10.0.0.0/8`, `fd00::/8`, or one address (`::1`: a range of one); null when it is neither. */
export function parseCidr(text: string): Cidr | null {
  const [address, bits, extra] = text.trim().split('/')
  if (extra !== undefined || address === undefined) return null
  const ip = parseIp(address)
  if (!ip) return null
  const width = ip.bytes.length * 8
  if (bits === undefined) return { ...ip, prefix: width }
  if (!/^\d{1,3}$/.test(bits)) return null
  // A mapped range (`::ffff:10.0.0.0/104`) counts its bits from the IPv4 part.
  const prefix = Number(bits) - (ip.v4 && address.includes(':') ? 96 : 0)
  return prefix >= 0 && prefix <= width ? { ...ip, prefix } : null
}

/** Whether `ip` is in `range` (an IPv4 address is never in an IPv6 range, nor the reverse). */
export function inCidr(ip: Ip, range: Cidr): boolean {
  if (ip.v4 !== range.v4) return false
  for (let bit = 0; bit < range.prefix; bit += 8) {
    const left = Math.min(8, range.prefix - bit)
    const mask = (0xff << (8 - left)) & 0xff
    if ((ip.bytes[bit / 8]! & mask) !== (range.bytes[bit / 8]! & mask)) return false
  }
  return true
}

/** The address as text: dotted IPv4, or eight IPv6 groups in lowercase hex. */
export function formatIp(ip: Ip): string {
  if (ip.v4) return ip.bytes.join('.')
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i]! << 8) | ip.bytes[i + 1]!).toString(16))
  return groups.join(':')
}

/**
 * Who an attempt limit counts an address as: an IPv4 address itself; an IPv6 address by its /64, the
 * block one subscriber (one home, one server) is given and can pick any of 2^64 addresses from. Text that
 * is not an address is its own key.
 */
export function addressBudget(address: string): string {
  const ip = parseIp(address)
  if (!ip) return address
  if (ip.v4) return formatIp(ip)
  return `${formatIp({ v4: false, bytes: [...ip.bytes.slice(0, 8), ...Array<number>(8).fill(0)] })}/64`
}
