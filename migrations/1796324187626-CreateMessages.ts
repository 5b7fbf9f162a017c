import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMessages1796324187626 implements MigrationInterface {
  name = 'CreateMessages1796324187626';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "message_conflicts" ("id" BIGSERIAL NOT NULL, "message_id" character varying(255) NOT NULL, "source" character varying(100) NOT NULL, "content_hash" character(64) NOT NULL, "raw_body" bytea NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f79d6196c71b0458ffa731ed68f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_message_conflicts_message_id" ON "message_conflicts"  ("message_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "messages" ("message_id" character varying(255) NOT NULL, "source" character varying(100) NOT NULL, "conversation" character varying(255) NOT NULL, "type" character varying(100), "sender_id" character varying(255), "sender_name" text, "sender_avatar" text, "content" text, "feedback" jsonb, "attachments" jsonb NOT NULL, "citations" jsonb NOT NULL, "message_created_at" TIMESTAMP WITH TIME ZONE, "raw_body" bytea NOT NULL, "content_hash" character(64) NOT NULL, "correlation_id" character varying(128), "status" character varying(20) NOT NULL DEFAULT 'received', "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "enqueued_at" TIMESTAMP WITH TIME ZONE, "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6187089f850b8deeca0232cfeba" PRIMARY KEY ("message_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_messages_not_enqueued" ON "messages"  ("received_at") WHERE enqueued_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "quarantined_deliveries" ("id" BIGSERIAL NOT NULL, "source" character varying(100) NOT NULL, "body_hash" character(64) NOT NULL, "raw_body" bytea NOT NULL, "problems" jsonb NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "replayed_at" TIMESTAMP WITH TIME ZONE, "message_id" character varying(255), CONSTRAINT "UQ_quarantined_deliveries_body_hash" UNIQUE ("body_hash"), CONSTRAINT "PK_b409db5c1d1ead6630a93f01350" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "quarantined_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_messages_not_enqueued"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_message_conflicts_message_id"`);
    await queryRunner.query(`DROP TABLE "message_conflicts"`);
  }
}
