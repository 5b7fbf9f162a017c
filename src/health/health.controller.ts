import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';

import { QUEUES } from '../infra/queue/queue.constants';

type Check = 'up' | 'down';

/** Liveness says the process runs; readiness says it can accept deliveries. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(QUEUES.messages) private readonly queue: Queue,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready while Postgres answers: deliveries are acknowledged without Redis,
   * so a Redis outage is reported but does not take the API out of rotation.
   */
  @Get('ready')
  async ready(): Promise<{ status: 'ok' | 'degraded'; postgres: Check; redis: Check }> {
    const [postgres, redis] = await Promise.all([
      this.dataSource.query('SELECT 1').then(
        (): Check => 'up',
        (): Check => 'down',
      ),
      this.queue.count().then(
        (): Check => 'up',
        (): Check => 'down',
      ),
    ]);

    if (postgres === 'down') {
      throw new ServiceUnavailableException({ status: 'down', postgres, redis });
    }

    return { status: redis === 'up' ? 'ok' : 'degraded', postgres, redis };
  }
}
