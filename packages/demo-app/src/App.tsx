import type { LeashClient } from '@leash/sdk'
import { LeashProvider, RequireSession, useLeash } from '@leash/sdk/react'
import type { ComponentType } from 'react'
import { AdminPanel } from './components/AdminPanel.tsx'
import { StepUpProvider } from './components/ConfirmPassword.tsx'
import { DevicesPanel } from './components/DevicesPanel.tsx'
import { Header } from './components/Header.tsx'
import { Notes } from './components/Notes.tsx'
import { PasswordPanel } from './components/PasswordPanel.tsx'
import { SessionPanel } from './components/SessionPanel.tsx'
import { useEventLog } from './components/use-event-log.ts'
import { WarningDialog } from './components/WarningDialog.tsx'
import { usePath } from './navigation.tsx'
import { ForgotPassword } from './pages/ForgotPassword.tsx'
import { ResetPassword } from './pages/ResetPassword.tsx'
import { SignIn } from './pages/SignIn.tsx'
import { VerifyEmail } from './pages/VerifyEmail.tsx'

/** The pages anyone may open, signed in or not: the account-recovery ones, and those the links in mail open. */
const publicPages: Record<string, ComponentType> = {
  '/forgot-password': ForgotPassword,
  '/reset-password': ResetPassword,
  '/verify-email': VerifyEmail,
}

/**
 * The demo: sign-in for anyone without a live session; notes, the session panel, the signed-in devices, the
 * password change and admin tools otherwise; the recovery pages at their own paths.
 */
export function App({ client }: { client: LeashClient }) {
  return (
    <LeashProvider client={client}>
      <Shell client={client} />
    </LeashProvider>
  )
}

function Shell({ client }: { client: LeashClient }) {
  const isAdmin = useLeash((s) => s.user?.role === 'admin')
  // Kept above the session gate, so the log starts with the sign-in itself.
  const events = useEventLog(client)
  const Page = publicPages[usePath()]
  return (
    <div className="shell">
      <Header />
      {Page ? (
        <Page />
      ) : (
        <RequireSession fallback={<SignIn />}>
          {/* One "Confirm your password" dialog for every action that needs a recent sign-in. */}
          <StepUpProvider>
            <main className="grid">
              <Notes />
              <SessionPanel events={events} />
              <DevicesPanel />
              <PasswordPanel />
              {isAdmin && <AdminPanel />}
            </main>
          </StepUpProvider>
          <WarningDialog />
        </RequireSession>
      )}
    </div>
  )
}
