import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Demo,
  email,
  jwtClaims,
  leashStorage,
  noChromium,
  SCREENSHOTS,
  signIn,
  startDemo,
} from './harness.js'

// Account recovery and step-up in Chromium, against the real server and the real development inbox: the
// reset link travels by SMTP to the inbox and is followed from its page, as a person would.

/** A sign-in counts as recent for 3 s here, so the step-up test waits seconds, not the default 10 minutes. */
const REAUTH_MAX_AGE = 3
/**
 * Timeouts long enough that no warning opens over an idle page while another does the reset (the flow
 * takes 10–20 s on a loaded machine); the client's margins are the demo's own (30 s, 10 s).
 */
const TIMING = { accessTtl: 30, idleTimeout: 300, reauthMaxAge: REAUTH_MAX_AGE }

/** Opens the inbox's page until a reset link to `address` is listed, then follows it; returns its URL. */
async function followResetLink(page: Page, demo: Demo, address: string): Promise<string> {
  const link = page
    .locator('article', { hasText: `to ${address}` })
    .locator('a[href*="/reset-password?token="]')
    .first()
  for (let i = 0; ; i++) {
    await page.goto(demo.inbox.pageUrl)
    if ((await link.count()) > 0) break
    if (i > 100) throw new Error(`no reset mail to ${address} in the inbox`)
    await page.waitForTimeout(200)
  }
  await page.screenshot({ path: `${SCREENSHOTS}inbox.png` })
  const href = (await link.getAttribute('href'))!
  await link.click()
  await page.waitForURL(href)
  return href
}

async function signInWith(page: Page, username: string, password: string) {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Notes' }).waitFor()
}

describe.skipIf(noChromium)('account recovery and step-up in Chromium', { timeout: 60_000 }, () => {
  let demo: Demo
  beforeAll(async () => {
    demo = await startDemo(TIMING)
  }, 120_000)
  afterAll(async () => {
    await demo?.stop()
  })

  it('resets a forgotten password from the mailed link; old sessions end, the link then is refused', async () => {
    const next = 'correct-horse-battery-staple'
    // two devices signed in as carol: the old sessions a reset must end
    const a = await (await demo.context()).newPage()
    const b = await (await demo.context()).newPage()
    await signIn(a, demo.url, 'carol')
    await signIn(b, demo.url, 'carol')

    // someone without a session (a third browser) asks for a link from the sign-in page
    const c = await (await demo.context()).newPage()
    await c.goto(demo.url)
    await c.getByRole('link', { name: 'Forgot password?' }).click()
    await c.getByLabel('Email').fill(email('carol'))
    await c.getByRole('button', { name: 'Send the link' }).click()
    await c
      .getByRole('status')
      .getByText(`If an account has the address ${email('carol')}`)
      .waitFor()
    await c.screenshot({ path: `${SCREENSHOTS}forgot-password.png` })

    const link = await followResetLink(c, demo, email('carol'))
    expect(link.startsWith(`${demo.url}/reset-password?token=`)).toBe(true)
    await c.getByLabel('New password', { exact: true }).fill(next)
    await c.getByLabel('New password, again').fill(next)
    await c.getByRole('button', { name: 'Set the new password' }).click()
    await c.getByRole('status').getByText('Your password was changed').waitFor()
    await c.screenshot({ path: `${SCREENSHOTS}reset-password.png` })

    // the old session lands on the sign-in page at its next request
    await b.getByPlaceholder('Write a note…').fill('after the reset')
    await b.getByRole('button', { name: 'Add note' }).click()
    await b.getByRole('heading', { name: 'Sign in' }).waitFor()
    expect(await b.getByRole('status').textContent()).toBe('Your session was ended. Sign in again.')
    expect(jwtClaims(await leashStorage(b))).toBeNull()

    // so does the other, reloaded; it signs in with the new password
    await a.reload()
    await a.getByRole('heading', { name: 'Sign in' }).waitFor()
    await signInWith(a, 'carol', next)

    // and the link, opened again, is refused, with a way to ask for a new one
    await c.goto(link)
    await c.getByLabel('New password', { exact: true }).fill('another-long-passphrase')
    await c.getByLabel('New password, again').fill('another-long-passphrase')
    await c.getByRole('button', { name: 'Set the new password' }).click()
    await c.getByRole('alert').getByText('This link does not work any more').waitFor()
    expect(await c.getByRole('link', { name: 'Ask for a new link' }).isVisible()).toBe(true)
    for (const page of [a, b, c]) await page.context().close()
  })

  it('asks for the password before a change an old sign-in may not make, then makes it', async () => {
    const page = await (await demo.context()).newPage()
    const answers: number[] = []
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/auth/password') answers.push(r.status())
    })
    await signIn(page, demo.url, 'dave')
    const { auth_time } = jwtClaims(await leashStorage(page))!
    // the one wait that is not for the page: until the sign-in is older than the server takes
    const stale = (auth_time + REAUTH_MAX_AGE + 1.2) * 1000 - Date.now()
    if (stale > 0) await page.waitForTimeout(stale)

    const panel = page.getByRole('region', { name: 'Change password' })
    await panel.getByLabel('Current password').fill('dave-password')
    await panel.getByLabel('New password').fill('correct-horse-battery-staple')
    await panel.getByRole('button', { name: 'Change password' }).click()

    const dialog = page.getByRole('dialog', { name: 'Confirm your password' })
    await dialog.waitFor()
    expect(answers).toEqual([401])
    const field = dialog.getByLabel('Your password')
    expect(await field.evaluate((el) => el === document.activeElement)).toBe(true)
    await page.screenshot({ path: `${SCREENSHOTS}confirm-password.png` })
    await field.fill('dave-password')
    await dialog.getByRole('button', { name: 'Confirm' }).click()

    await panel.getByRole('status').getByText('Password changed.').waitFor()
    await dialog.waitFor({ state: 'detached' })
    expect(answers).toEqual([401, 200]) // refused once, retried once
    expect(await page.getByTestId('status').textContent()).toBe('authenticated')
    await page.context().close()
  })
})
