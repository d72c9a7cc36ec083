import type { AuthSession } from '@balena-auth/machine';
import { useAuth, useSession } from '@balena-auth/react';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';

/** A message for the person in front of the page, true only for the session it was said in. */
interface Notice {
  kind: 'status' | 'alert';
  text: string;
  /** The session status when it was said: the message is hidden once that changes. */
  status: AuthSession['status'];
}

interface Notices {
  notice: Notice | undefined;
  say(text: string): void;
  complain(text: string): void;
}

const NoticeContext = createContext<Notices | null>(null);

/**
 * Holds the page's one status or alert line. A message belongs to the session it was said in
 * (`getSession()` at that moment): when the session changes, e.g. another tab logs out, an older
 * message is no longer shown, so none stays stale.
 *
 * @example
 * <NoticeProvider><Forms /><NoticeLine /></NoticeProvider>
 */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const client = useRef(useAuth()); // the latest client: the demo restarts it for the inspector
  client.current = useAuth();
  const [notice, setNotice] = useState<Notice>();
  const say = useCallback(
    (text: string) => setNotice({ kind: 'status', text, status: client.current.getSession().status }),
    [],
  );
  const complain = useCallback(
    (text: string) => setNotice({ kind: 'alert', text, status: client.current.getSession().status }),
    [],
  );
  const current = notice?.status === status ? notice : undefined;
  const value = useMemo(() => ({ notice: current, say, complain }), [current, say, complain]);
  return <NoticeContext.Provider value={value}>{children}</NoticeContext.Provider>;
}

/** `say` (a status) and `complain` (an alert) of the nearest `NoticeProvider`. */
export function useNotices(): Notices {
  const notices = useContext(NoticeContext);
  if (!notices) throw new Error('useNotices() needs a <NoticeProvider> above it');
  return notices;
}

/** The status line (`role="status"`) and the alert line (`role="alert"`). */
export function NoticeLines() {
  const { notice } = useNotices();
  return (
    <>
      <p id="status" role="status">
        {notice?.kind === 'status' ? notice.text : ''}
      </p>
      <p id="alert" role="alert">
        {notice?.kind === 'alert' ? notice.text : ''}
      </p>
    </>
  );
}
