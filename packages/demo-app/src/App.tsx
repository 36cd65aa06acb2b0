import type { LeashClient } from '@leash/sdk'
import { LeashProvider, RequireSession, useLeash } from '@leash/sdk/react'
import { AdminPanel } from './components/AdminPanel.tsx'
import { DevicesPanel } from './components/DevicesPanel.tsx'
import { Header } from './components/Header.tsx'
import { Notes } from './components/Notes.tsx'
import { SessionPanel } from './components/SessionPanel.tsx'
import { useEventLog } from './components/use-event-log.ts'
import { WarningDialog } from './components/WarningDialog.tsx'
import { SignIn } from './pages/SignIn.tsx'

/**
 * The demo: sign-in for anyone without a live session; notes, the session panel, the signed-in devices and
 * admin tools otherwise.
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
  return (
    <div className="shell">
      <Header />
      <RequireSession fallback={<SignIn />}>
        <main className="grid">
          <Notes />
          <SessionPanel events={events} />
          <DevicesPanel />
          {isAdmin && <AdminPanel />}
        </main>
        <WarningDialog />
      </RequireSession>
    </div>
  )
}
