import { useState } from 'preact/hooks';
import type { Ban } from '../api.js';
import type { Session } from '../session.js';

/** The Unban action for a ban row: null for a read token (no button), else lifts it in its jail. */
export function useUnban(session: Session, lifted: (ban: Ban) => void): { unban: ((ban: Ban) => Promise<void>) | null; unbanError: string | null } {
  const [unbanError, setUnbanError] = useState<string | null>(null);
  if (session.role !== 'admin') return { unban: null, unbanError };
  const unban = async (ban: Ban) => {
    try {
      await session.api.unban(ban.ip, ban.jail);
      setUnbanError(null);
      lifted(ban);
    } catch (e) {
      setUnbanError(`Cannot unban ${ban.ip}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return { unban, unbanError };
}
