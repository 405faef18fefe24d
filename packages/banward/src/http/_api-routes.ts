import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import { unknownJail, type DaemonControl } from '../control/index.js';
import type { ActivityMinute } from '../decision/index.js';
import { canonical, isHost, networksOverlap, parseIp, type IpAddress } from '../net/ip-address.js';
import { requestError } from './_error-replies.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

const jailName = { type: 'string', minLength: 1, maxLength: 128 } as const;
const address = { type: 'string', minLength: 1, maxLength: 64 } as const;
const entries = {
  type: 'object', additionalProperties: false, required: ['entries'],
  // No `file:` lists over HTTP: a token holder must not make the daemon read (and log) a file of their choosing.
  properties: { entries: { type: 'array', minItems: 1, maxItems: 256, items: { type: 'string', minLength: 1, maxLength: 256, pattern: '^(?!file:)' } } },
} as const;
const jailParams = { type: 'object', required: ['jail'], properties: { jail: jailName } } as const;

/** An address or (when `network`) a CIDR; a 400 for anything else. */
function parseTarget(text: string, what: 'address' | 'network' | 'target'): IpAddress {
  const ip = parseIp(text);
  if (!ip || (what === 'address' && !isHost(ip))) throw requestError(`${JSON.stringify(text)} is not an IP ${what === 'target' ? 'address or network' : what}`);
  return ip;
}

function sumSince(minutes: readonly ActivityMinute[], jail: string, since: number): { failures: number; bans: number } {
  const sum = { failures: 0, bans: 0 };
  for (const m of minutes) {
    if (m.jail !== jail || m.minute < since) continue;
    sum.failures += m.failures;
    sum.bans += m.bans;
  }
  return sum;
}

/** The JSON routes under /api/v1 (docs/http-api.md): each only translates a request into DaemonControl calls. */
export function registerApiRoutes(app: FastifyInstance, control: DaemonControl, clock: Clock): void {
  const known = (jail: string): string => {
    if (!control.jailNames().includes(jail)) throw unknownJail(jail);
    return jail;
  };
  const jailView = (name: string, minutes: readonly ActivityMinute[]) => {
    const { filter, actions } = control.jailStatus(name);
    const now = clock();
    return {
      name,
      enforced: actions.notEnforced === undefined,
      notEnforced: actions.notEnforced ?? null,
      currentlyFailed: filter.currentlyFailed,
      totalFailed: filter.totalFailed,
      currentlyBanned: actions.currentlyBanned,
      totalBanned: actions.totalBanned,
      lastHour: sumSince(minutes, name, now - HOUR),
      lastDay: sumSince(minutes, name, now - DAY),
      settings: { findtime: control.option(name, 'findtime'), bantime: control.option(name, 'bantime'), maxretry: control.option(name, 'maxretry') },
      inputs: {
        ...(filter.files ? { files: filter.files } : {}),
        ...(filter.journalMatch ? { journalMatch: filter.journalMatch } : {}),
        reports: filter.reports,
      },
    };
  };

  app.get('/api/v1/whoami', { config: { access: 'read' } }, (request) => ({ role: request.role }));

  app.get('/api/v1/jails', { config: { access: 'read' } }, () => {
    const minutes = control.activity(clock() - DAY);
    return { jails: control.jailNames().map((name) => jailView(name, minutes)) };
  });

  app.get<{ Params: { jail: string } }>('/api/v1/jails/:jail', { config: { access: 'read' }, schema: { params: jailParams } }, (request) =>
    jailView(known(request.params.jail), control.activity(clock() - DAY)));

  app.get<{ Querystring: { jail?: string; ip?: string; network?: string; offset: number; limit: number } }>('/api/v1/bans', {
    config: { access: 'read' },
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          jail: jailName, ip: address, network: address,
          offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
        },
      },
    },
  }, (request) => {
    const { jail, ip, network, offset, limit } = request.query;
    const covering = ip === undefined ? undefined : [canonical(formatTarget(ip, 'address'))];
    const inside = network === undefined ? null : parseTarget(network, 'network');
    const bans = control.activeBans({ ...(jail === undefined ? {} : { jail: known(jail) }), ...(covering ? { covering } : {}) })
      .filter((ban) => inside === null || overlaps(ban.ip, inside));
    return { total: bans.length, offset, limit, bans: bans.slice(offset, offset + limit) };
  });

  app.post<{ Body: { jail: string; ip: string } }>('/api/v1/bans', {
    config: { access: 'admin' },
    schema: { body: { type: 'object', additionalProperties: false, required: ['jail', 'ip'], properties: { jail: jailName, ip: address } } },
  }, async (request, reply) => {
    const { jail, ip } = request.body;
    const outcome = await control.ban(known(jail), [formatTarget(ip, 'target')]);
    if ('refused' in outcome) {
      return reply.code(409).send({ code: 'BANWARD_ERR_BAN_REFUSED', message: `${outcome.refused.target} overlaps ${outcome.refused.overlaps}: not banned` });
    }
    return reply.code(201).send(outcome);
  });

  app.delete<{ Params: { ip: string }; Querystring: { jail?: string } }>('/api/v1/bans/:ip', {
    config: { access: 'admin' },
    schema: {
      params: { type: 'object', required: ['ip'], properties: { ip: address } },
      querystring: { type: 'object', additionalProperties: false, properties: { jail: jailName } },
    },
  }, async (request) => {
    const target = formatTarget(request.params.ip, 'target');
    const { jail } = request.query;
    return { unbanned: jail === undefined ? await control.unbanEverywhere([target]) : await control.unban(known(jail), [target]) };
  });

  app.get<{ Params: { ip: string } }>('/api/v1/ips/:ip', {
    config: { access: 'read' },
    schema: { params: { type: 'object', required: ['ip'], properties: { ip: address } } },
  }, (request) => control.ipStory(formatTarget(request.params.ip, 'address')));

  const ignoreRoute = { config: { access: 'admin' }, schema: { params: jailParams, body: entries } } as const;
  app.get<{ Params: { jail: string } }>('/api/v1/jails/:jail/ignore', { config: { access: 'read' }, schema: { params: jailParams } }, (request) =>
    ({ entries: control.option(known(request.params.jail), 'ignoreip') }));
  app.post<{ Params: { jail: string }; Body: { entries: string[] } }>('/api/v1/jails/:jail/ignore', ignoreRoute, (request) =>
    ({ entries: control.addIgnore(known(request.params.jail), request.body.entries) }));
  app.delete<{ Params: { jail: string }; Body: { entries: string[] } }>('/api/v1/jails/:jail/ignore', ignoreRoute, (request) =>
    ({ entries: control.removeIgnore(known(request.params.jail), request.body.entries) }));

  const hours = { type: 'integer', minimum: 1, maximum: 168, default: 24 } as const;
  app.get<{ Querystring: { hours: number } }>('/api/v1/activity', {
    config: { access: 'read' },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { hours } } },
  }, (request) => {
    const to = clock();
    const from = to - request.query.hours * HOUR;
    return { from, to, minutes: control.activity(Math.floor(from / 60) * 60) };
  });

  app.get<{ Querystring: { hours: number; limit: number } }>('/api/v1/top', {
    config: { access: 'read' },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { hours, limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 } } } },
  }, (request) => control.topOffenders(clock() - request.query.hours * HOUR, request.query.limit));
}

/** The target as the daemon is given it: checked here, so a non-address is a 400, not a daemon error. */
function formatTarget(text: string, what: 'address' | 'target'): string {
  parseTarget(text, what);
  return text;
}

function overlaps(banned: string, network: IpAddress): boolean {
  const ip = parseIp(banned);
  return ip !== null && networksOverlap(ip, network);
}
