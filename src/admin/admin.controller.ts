import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';

import { ActionRunEntity, ActionRunsService } from '../actions';
import { DeadLettersService, ReplayReport } from '../dead-letters/dead-letters.service';
import { MessagesService } from '../messages';
import { QuarantineService } from '../webhook/quarantine.service';
import { DeliveryResult, WebhookCounters, WebhookService } from '../webhook/webhook.service';
import { AdminGuard } from './admin.guard';
import { ReplayRequestDto } from './replay-request.dto';

const strict = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true });

/** Operator API: inspect messages and runs, replay dead runs and quarantined deliveries. */
@Controller('admin/api')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    private readonly messages: MessagesService,
    private readonly runs: ActionRunsService,
    private readonly deadLetters: DeadLettersService,
    private readonly webhook: WebhookService,
    private readonly quarantine: QuarantineService,
  ) {}

  @Get('stats')
  stats(): { webhook: WebhookCounters } {
    return { webhook: this.webhook.counters };
  }

  @Get('messages/:id')
  async message(@Param('id') id: string): Promise<Record<string, unknown>> {
    const message = await this.messages.findById(id);

    if (!message) {
      throw new NotFoundException(`no message with id ${id}`);
    }

    const { rawBody, ...fields } = message;

    return {
      ...fields,
      rawBody: rawBody.toString('utf8'),
      runs: await this.runs.findByMessage(id),
    };
  }

  @Get('dead-letters')
  deadRuns(@Query('limit') limit?: string): Promise<ActionRunEntity[]> {
    return this.deadLetters.list(Math.min(Number(limit) || 100, 1000));
  }

  @Post('dead-letters/replay')
  @HttpCode(200)
  replay(@Body(strict) request: ReplayRequestDto): Promise<ReplayReport> {
    return this.deadLetters.replay({
      runId: request.runId,
      actionName: request.actionName,
      errorCode: request.errorCode,
      deadAfter: request.deadAfter ? new Date(request.deadAfter) : undefined,
      deadBefore: request.deadBefore ? new Date(request.deadBefore) : undefined,
      isForced: request.force ?? false,
    });
  }

  /** Quarantined deliveries not yet replayed, oldest first, with the reasons. */
  @Get('quarantine')
  async quarantined(@Query('limit') limit?: string): Promise<Record<string, unknown>[]> {
    const entries = await this.quarantine.findPending(Math.min(Number(limit) || 100, 1000));

    return entries.map(({ rawBody, ...fields }) => ({
      ...fields,
      rawBody: rawBody.toString('utf8'),
    }));
  }

  @Post('quarantine/:id/replay')
  @HttpCode(200)
  replayQuarantined(@Param('id') id: string): Promise<DeliveryResult> {
    return this.webhook.replayQuarantined(id);
  }
}
