import {
  BadGatewayException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiTokenGuard } from '@opscrew/agent-core';
import { LoopbackOnlyGuard } from './loopback-only.guard';
import { RunScenarioDto } from './run-scenario.dto';
import { type ScenarioSummary } from './scenario.catalog';
import {
  ScenarioBusyError,
  ScenarioNotFoundError,
  ScenarioPreconditionError,
  ScenarioSetupError,
} from './scenario.errors';
import { type RunningScenario, ScenarioRunner } from './scenario.runner';

/** Scenario names as configured: lowercase, digits, `-`, `_` (the config's NAME_PATTERN). */
const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * `GET /scenarios`: the configured scenarios and the one running;
 * `POST /scenarios/:name/run`: starts one (202 once underway; the run goes on
 * in the background); `POST /scenarios/abort`: ends the running one early.
 * Both POSTs answer only callers on this machine that send
 * `Authorization: Bearer <http.api_token>` (the loopback check runs first).
 */
@Controller('scenarios')
export class ScenariosController {
  constructor(private readonly runner: ScenarioRunner) {}

  @Get()
  list(): { running: RunningScenario | null; scenarios: ScenarioSummary[] } {
    return { running: this.runner.status(), scenarios: this.runner.list() };
  }

  @Post(':name/run')
  @HttpCode(202)
  @UseGuards(LoopbackOnlyGuard, ApiTokenGuard)
  async run(
    @Param('name') name: string,
    @Body() body: RunScenarioDto,
  ): Promise<{
    run_id: string;
    scenario: string;
    started_at: string;
    ends_at: string;
    locked: readonly string[];
  }> {
    if (!NAME_PATTERN.test(name)) throw new NotFoundException(`no scenario "${name.slice(0, 64)}"`);
    try {
      const handle = await this.runner.start(name, {
        ...(body.duration_scale !== undefined ? { durationScale: body.duration_scale } : {}),
      });
      return {
        run_id: handle.run_id,
        scenario: handle.scenario,
        started_at: handle.started_at,
        ends_at: handle.ends_at,
        locked: handle.locked,
      };
    } catch (error) {
      if (error instanceof ScenarioNotFoundError) throw new NotFoundException(error.message);
      if (error instanceof ScenarioBusyError || error instanceof ScenarioPreconditionError)
        throw new ConflictException(error.message);
      if (error instanceof ScenarioSetupError) throw new BadGatewayException(error.message);
      throw error;
    }
  }

  @Post('abort')
  @HttpCode(200)
  @UseGuards(LoopbackOnlyGuard, ApiTokenGuard)
  async abort(): Promise<{ aborted: string | null }> {
    const result = await this.runner.abort('aborted through the API');
    return { aborted: result?.run_id ?? null };
  }
}
