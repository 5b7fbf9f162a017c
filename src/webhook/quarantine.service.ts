import { createHash } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';

import { QuarantinedDeliveryEntity } from './quarantined-delivery.entity';

/** Stores deliveries that failed validation; identical bodies are kept once. */
@Injectable()
export class QuarantineService {
  constructor(
    @InjectRepository(QuarantinedDeliveryEntity)
    private readonly quarantine: Repository<QuarantinedDeliveryEntity>,
  ) {}

  /** Returns true when this body was not quarantined before. */
  async store(source: string, rawBody: Buffer, problems: string[]): Promise<boolean> {
    const rows = await this.quarantine.query<unknown[]>(
      `INSERT INTO quarantined_deliveries (source, body_hash, raw_body, problems)
       VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (body_hash) DO NOTHING RETURNING id`,
      [
        source,
        createHash('sha256').update(rawBody).digest('hex'),
        rawBody,
        JSON.stringify(problems),
      ],
    );

    return rows.length > 0;
  }

  findPending(limit = 100): Promise<QuarantinedDeliveryEntity[]> {
    return this.quarantine.find({
      where: { replayedAt: IsNull() },
      order: { receivedAt: 'ASC' },
      take: limit,
    });
  }

  findById(id: string): Promise<QuarantinedDeliveryEntity | null> {
    return this.quarantine.findOneBy({ id });
  }

  async markReplayed(id: string, messageId: string): Promise<void> {
    await this.quarantine.update({ id }, { replayedAt: () => 'now()', messageId });
  }

  async updateProblems(id: string, problems: string[]): Promise<void> {
    await this.quarantine.update({ id }, { problems });
  }
}
