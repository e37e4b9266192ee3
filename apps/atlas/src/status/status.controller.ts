import { Controller, Get, Header } from '@nestjs/common';
import { type StatusModel } from './status-model';
import { StatusModelService } from './status-model.service';
import { renderStatusPage, STATUS_PAGE_CSP } from './status-page.renderer';

/**
 * `GET /`: the status page, server-rendered HTML that reloads itself every 10 s and loads
 * nothing from anywhere (CSP: only its inline style). `GET /status.json`: the same model.
 * Open like every GET of atlas (GET /incidents, /agents): reads need no token; http.host keeps
 * atlas on loopback unless configured otherwise.
 */
@Controller()
export class StatusController {
  constructor(private readonly model: StatusModelService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', STATUS_PAGE_CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async page(): Promise<string> {
    return renderStatusPage(await this.model.current());
  }

  @Get('status.json')
  @Header('Cache-Control', 'no-store')
  status(): Promise<StatusModel> {
    return this.model.current();
  }
}
