import { BadRequestException } from '@nestjs/common';
import { type Response } from 'express';
import { buildEvent, IncidentRecord } from '@opscrew/contracts';
import { IncidentLedger, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { IncidentsController } from './incidents.controller';
import { type IncidentsView } from './ledger/incidents-view.service';
import { type PostmortemWriter } from './postmortems/postmortem-writer.service';

describe('IncidentsController: GET /incidents?dedup_key=&reporter=', () => {
  let ledger: IncidentLedger;
  let controller: IncidentsController;

  const open = (id: string, correlation: { reporters?: string[]; dedup_keys?: string[] }) =>
    ledger.open(
      buildEvent(
        'incident.detected',
        {
          incident_id: id,
          fingerprint: 'cart:high_error_rate',
          service: 'cart',
          symptom: 'high_error_rate',
          severity: 'high',
          value: 0.2,
          detected_at: '2026-12-06T10:00:00.000Z',
          ...correlation,
        },
        'ops-monitor',
      ),
    );

  beforeEach(async () => {
    ledger = new IncidentLedger(
      new TypedKv(new FakeKv('incidents').asKv(), 'incidents', { class: IncidentRecord }),
    );
    // A view still loading: the controller reads the ledger (the same paging applies).
    const loading = { page: () => null } as unknown as IncidentsView;
    controller = new IncidentsController(ledger, {} as PostmortemWriter, loading);
    await open('INC-20261206-001', {
      reporters: ['alertmanager'],
      dedup_keys: ['1a30ba71cca2921f'],
    });
    await open('INC-20261206-002', { reporters: ['cli'], dedup_keys: ['cli-42'] });
    await open('INC-20261206-003', {});
  });

  it('lists every incident without a filter, and those a report joined with one', async () => {
    expect(await controller.list()).toHaveLength(3);
    const ids = async (dedupKey?: string, reporter?: string) =>
      (await controller.list(dedupKey, reporter)).map((record) => record.incident_id);
    expect(await ids('1a30ba71cca2921f')).toEqual(['INC-20261206-001']);
    expect(await ids(undefined, 'cli')).toEqual(['INC-20261206-002']);
    expect(await ids('cli-42', 'alertmanager')).toEqual([]);
    expect(await ids('never-seen')).toEqual([]);
  });

  it('answers 400 for a filter that is not a token the report could have carried', async () => {
    await expect(controller.list('has space')).rejects.toThrow(BadRequestException);
    await expect(controller.list(['a', 'b'])).rejects.toThrow(
      '?dedup_key: must be given once, as the dedup_key the report carried',
    );
    await expect(controller.list(undefined, 'bad/reporter')).rejects.toThrow(/^\?reporter: /);
  });

  it('pages newest first: ?limit, X-Next-Cursor and a Link to the next page, until the last', async () => {
    const headers = new Map<string, string>();
    const response = {
      setHeader: (name: string, value: string) => headers.set(name, value),
    } as unknown as Response;
    const first = await controller.list(undefined, undefined, '2', undefined, response);
    expect(first.map((r) => r.incident_id)).toEqual(['INC-20261206-003', 'INC-20261206-002']);
    const cursor = headers.get('X-Next-Cursor') ?? '';
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(headers.get('Link')).toBe(`</incidents?limit=2&cursor=${cursor}>; rel="next"`);
    expect(headers.get('X-Incidents-Source')).toBe('ledger');
    headers.clear();
    const second = await controller.list(undefined, undefined, '2', cursor, response);
    expect(second.map((r) => r.incident_id)).toEqual(['INC-20261206-001']);
    expect(headers.has('X-Next-Cursor')).toBe(false);
  });

  it('answers 400 naming ?limit or ?cursor when they are not what the API takes', async () => {
    for (const bad of ['0', '501', '-1', '1.5', 'ten', '', ['1', '2']]) {
      await expect(controller.list(undefined, undefined, bad)).rejects.toThrow(
        /^\?limit: must be given once, as a whole number from 1 to 500/,
      );
    }
    for (const bad of ['not a cursor', 'AAAA', ['a', 'b']]) {
      await expect(controller.list(undefined, undefined, undefined, bad)).rejects.toThrow(
        BadRequestException,
      );
      await expect(controller.list(undefined, undefined, undefined, bad)).rejects.toThrow(
        /^\?cursor: /,
      );
    }
  });
});
