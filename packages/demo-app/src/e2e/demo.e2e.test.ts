import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Demo,
  jwtClaims,
  leashStorage,
  noChromium,
  SCREENSHOTS,
  setEnabled,
  signIn,
  startDemo,
  TIMING,
  tokenExpired,
} from './harness.js'

// The demo in Debian's Chromium against the real server: what a person sees, second by second.

describe.skipIf(noChromium)('demo app in Chromium', { timeout: 90_000 }, () => {
  let demo: Demo
  beforeAll(async () => {
    demo = await startDemo()
  }, 120_000)
  afterAll(async () => {
    await demo?.stop()
  })

  it('signs in and loads the notes', async () => {
    const context = await demo.context()
    const page = await context.newPage()
    await page.goto(demo.url)
    await page.screenshot({ path: `${SCREENSHOTS}sign-in.png` })
    await signIn(page, demo.url, 'alice')
    await page.getByText('No notes yet.').waitFor()
    await page.getByPlaceholder('Write a note…').fill('Ship the demo')
    await page.getByRole('button', { name: 'Add note' }).click()
    await page.getByRole('list', { name: 'Your notes' }).getByText('Ship the demo').waitFor()
    expect(await page.getByTestId('status').textContent()).toBe('authenticated')
    await page.screenshot({ path: `${SCREENSHOTS}notes.png` })
    // Readable at a phone's width: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: `${SCREENSHOTS}notes-phone.png`, fullPage: true })
    await context.close()
  })

  it('refreshes silently while the user is active, with no visible break', async () => {
    const context = await demo.context()
    const page = await context.newPage()
    const refreshes: number[] = []
    page.on('response', (r) => {
      if (r.url().endsWith('/auth/refresh')) refreshes.push(r.status())
    })
    await signIn(page, demo.url, 'bob')
    const first = jwtClaims(await leashStorage(page))!
    // Keep typing for two access-token lifetimes.
    const until = Date.now() + TIMING.accessTtl * 2_000 + 500
    const input = page.getByPlaceholder('Write a note…')
    while (Date.now() < until) {
      await input.press('a')
      await page.waitForTimeout(250)
    }
    expect(refreshes.length).toBeGreaterThanOrEqual(1)
    expect(refreshes.every((s) => s === 200)).toBe(true)
    expect(jwtClaims(await leashStorage(page))!.iat).toBeGreaterThan(first.iat)
    expect(await page.getByRole('alert').count()).toBe(0)
    await input.fill('still here')
    await page.getByRole('button', { name: 'Add note' }).click()
    await page.getByRole('list', { name: 'Your notes' }).getByText('still here').waitFor()
    expect(await page.getByTestId('status').textContent()).toBe('authenticated')
    await context.close()
  })

  it('warns an idle user; "Stay signed in" keeps the session', async () => {
    const context = await demo.context()
    const page = await context.newPage()
    await signIn(page, demo.url, 'carol')
    const dialog = page.getByRole('alertdialog')
    await dialog.waitFor({ timeout: TIMING.idleTimeout * 1000 })
    expect(await dialog.getByTestId('warning-countdown').textContent()).toMatch(/^\d+ s$/)
    await page.screenshot({ path: `${SCREENSHOTS}warning.png` })
    await dialog.getByRole('button', { name: 'Stay signed in' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByPlaceholder('Write a note…').fill('after the warning')
    await page.getByRole('button', { name: 'Add note' }).click()
    await page.getByRole('list', { name: 'Your notes' }).getByText('after the warning').waitFor()
    await context.close()
  })

  it('signs an idle user out when the countdown runs out', async () => {
    const context = await demo.context()
    const page = await context.newPage()
    await signIn(page, demo.url, 'alice')
    await page.getByRole('alertdialog').waitFor({ timeout: TIMING.idleTimeout * 1000 })
    await page
      .getByText('Your session timed out. Sign in again.')
      .waitFor({ timeout: TIMING.warnBeforeMs + 3000 })
    expect(await page.getByLabel('Username').isVisible()).toBe(true)
    await context.close()
  })

  it('a user disabled from another browser is cleared out at the next request', async () => {
    const userContext = await demo.context()
    const adminContext = await demo.context()
    const page = await userContext.newPage()
    const admin = await adminContext.newPage()
    await signIn(page, demo.url, 'bob')
    await signIn(admin, demo.url, 'admin')
    await admin.screenshot({ path: `${SCREENSHOTS}admin.png` })
    await admin.getByRole('button', { name: 'Disable bob' }).click()
    await admin.getByRole('button', { name: 'Enable bob' }).waitFor()
    // Typing is activity: the refresh it starts may meet the disable before the click's request does (a slow
    // machine), and the form is gone by then. Either way the next call to the server clears the user out.
    await page.getByPlaceholder('Write a note…').fill('too late')
    const disabled = page.getByText('This account has been disabled.', { exact: false })
    const clicked = page
      .getByRole('button', { name: 'Add note' })
      .click()
      .catch(() => {})
    await disabled.waitFor()
    await clicked
    // cleared, but for the marker that keeps the reason across a reload (no token, no user)
    expect(await page.evaluate(() => Object.values(localStorage))).toEqual(['{"disabled":true}'])
    await page.screenshot({ path: `${SCREENSHOTS}disabled.png` })
    await admin.getByRole('button', { name: 'Enable bob' }).click()
    await admin.getByRole('button', { name: 'Disable bob' }).waitFor()
    await userContext.close()
    await adminContext.close()
  })

  it('a user disabled elsewhere, reloading the page, is told why on the sign-in page', async () => {
    // erin, whom no other test signs in: nothing else of hers meets the disable first
    const context = await demo.context()
    const page = await context.newPage()
    await signIn(page, demo.url, 'erin')
    await setEnabled(demo.url, 'erin', false)
    expect(await page.getByRole('heading', { name: 'Notes' }).isVisible()).toBe(true) // not met before the reload
    const refused: string[] = []
    page.on('response', (r) => {
      if (r.status() === 403) refused.push(new URL(r.url()).pathname)
    })
    // After the reload every call the page makes (the devices, the notes, a refresh) meets the disable;
    // whichever is first ends the session, and the sign-in page says why, from the session's state.
    await page.reload()
    await page.getByText('This account has been disabled.', { exact: false }).waitFor()
    expect(refused.length).toBeGreaterThanOrEqual(1)
    expect(await page.getByLabel('Username').isVisible()).toBe(true)
    expect(await page.getByRole('heading', { name: 'Notes' }).count()).toBe(0)
    // cleared, but for the marker that keeps the reason across a reload (no token, no user)
    expect(await page.evaluate(() => Object.values(localStorage))).toEqual(['{"disabled":true}'])
    await page.screenshot({ path: `${SCREENSHOTS}disabled-reload.png` })
    await setEnabled(demo.url, 'erin', true)
    await context.close()
  })

  it('sign-out keeps only the one-second token and protected pages send you to sign in', async () => {
    const context = await demo.context()
    const page = await context.newPage()
    await signIn(page, demo.url, 'alice')
    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await page.getByText('You signed out.').waitFor()
    // The page says so at once; the 1-second token replaces the old one when the server's answer arrives.
    await page.waitForFunction(() => Object.values(localStorage).some((v) => v.includes('eyJ')))
    const claims = jwtClaims(await leashStorage(page))
    expect(claims).not.toBeNull()
    expect(claims!.exp - claims!.iat).toBe(1)
    await page.reload()
    await page.getByLabel('Username').waitFor()
    expect(await page.getByRole('heading', { name: 'Notes' }).count()).toBe(0)
    await context.close()
  })

  it('two tabs: one refresh between them, and sign-out in one signs out the other', async () => {
    const context = await demo.context()
    const refreshes: number[] = []
    context.on('request', (r) => {
      if (r.url().endsWith('/auth/refresh')) refreshes.push(Date.now())
    })
    const one = await context.newPage()
    await signIn(one, demo.url, 'carol')
    const two = await context.newPage()
    await two.goto(demo.url)
    await two.getByRole('heading', { name: 'Notes' }).waitFor()
    // Wait, idle, until the shared access token has expired; then both tabs ask at once.
    await tokenExpired(one)
    refreshes.length = 0
    await Promise.all([one, two].map((p, i) => p.getByPlaceholder('Write a note…').fill(`tab ${i + 1}`)))
    await Promise.all([one, two].map((p) => p.getByRole('button', { name: 'Add note' }).click()))
    await one.getByRole('list', { name: 'Your notes' }).getByText('tab 1').waitFor()
    await two.getByRole('list', { name: 'Your notes' }).getByText('tab 2').waitFor()
    // One refresh serves both tabs: the tab that waited for the lock takes the other's token. On a slow
    // machine the burst can outlast the new token's margin, and then an active tab refreshes again, as it
    // should; but never as the second half of the first (within a round trip of it).
    expect(refreshes.length).toBeGreaterThanOrEqual(1)
    const dueAfter = TIMING.accessTtl * 1000 - TIMING.refreshMarginMs
    for (const [i, at] of refreshes.slice(1).entries())
      expect(at - refreshes[i]!).toBeGreaterThan(dueAfter - 250)
    await one.getByRole('button', { name: 'Sign out', exact: true }).click()
    await two.getByLabel('Username').waitFor({ timeout: 5_000 })
    await context.close()
  })

  it('signed-in devices: one browser signs the other out, whose next request is refused', async () => {
    // dave, whom no other test signs in: his list holds exactly these two browsers
    const laptopContext = await demo.context()
    const phoneContext = await demo.context()
    const laptop = await laptopContext.newPage()
    const phone = await phoneContext.newPage()
    await signIn(laptop, demo.url, 'dave')
    await signIn(phone, demo.url, 'dave')
    const devices = laptop.getByRole('list', { name: 'Your devices' })
    const items = devices.getByRole('listitem')
    await laptop.getByRole('button', { name: 'Refresh' }).click()
    await expect.poll(() => items.count()).toBe(2)
    const mine = items.filter({ hasText: 'This device' })
    const other = items.filter({ hasNotText: 'This device' })
    expect(await mine.count()).toBe(1)
    expect(await other.textContent()).toContain('Chrome on Linux') // the browser's own User-Agent
    await laptop.screenshot({ path: `${SCREENSHOTS}devices.png`, fullPage: true })

    await other.getByRole('button').click()
    await expect.poll(() => items.count()).toBe(1)
    expect(await items.textContent()).toContain('This device')
    // Typing is activity: on a slow machine the refresh it starts may meet the revocation before the click's
    // request does, and the form is gone by then. Either way the phone's next call lands it on sign-in.
    await phone.getByPlaceholder('Write a note…').fill('from the phone')
    const clicked = phone
      .getByRole('button', { name: 'Add note' })
      .click({ timeout: 5_000 })
      .catch(() => {})
    await phone.getByText('Your session was ended. Sign in again.').waitFor()
    await clicked
    expect(await phone.getByLabel('Username').isVisible()).toBe(true)
    expect(await phone.getByRole('heading', { name: 'Notes' }).count()).toBe(0)

    // the laptop is still signed in, and lists itself alone; readable at a phone's width
    await laptop.getByRole('button', { name: 'Refresh' }).click()
    await expect.poll(() => items.count()).toBe(1)
    await laptop.getByPlaceholder('Write a note…').fill('from the laptop')
    await laptop.getByRole('button', { name: 'Add note' }).click()
    await laptop.getByRole('list', { name: 'Your notes' }).getByText('from the laptop').waitFor()
    await laptop.setViewportSize({ width: 390, height: 844 })
    expect(await laptop.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await laptop.screenshot({ path: `${SCREENSHOTS}devices-phone.png`, fullPage: true })

    // this device's own "Sign out" signs out here
    await mine.getByRole('button').click()
    await laptop.getByText('You signed out.').waitFor()
    expect(await laptop.getByLabel('Username').isVisible()).toBe(true)
    await laptopContext.close()
    await phoneContext.close()
  })
})
