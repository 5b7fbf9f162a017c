import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateActionRuns1796324847258 implements MigrationInterface {
  name = 'CreateActionRuns1796324847258';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "action_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "message_id" character varying(255) NOT NULL, "action_name" character varying(100) NOT NULL, "action_type" character varying(100) NOT NULL, "state" character varying(20) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "replay_count" integer NOT NULL DEFAULT '0', "last_error_code" character varying(100), "last_error_detail" text, "last_status" integer, "result_detail" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_attempt_at" TIMESTAMP WITH TIME ZONE, "succeeded_at" TIMESTAMP WITH TIME ZONE, "dead_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_action_runs_message_action" UNIQUE ("message_id", "action_name"), CONSTRAINT "PK_a5252c9b94cd84891967a30f4d3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_action_runs_state_updated" ON "action_runs"  ("state", "updated_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_action_runs_state_updated"`);
    await queryRunner.query(`DROP TABLE "action_runs"`);
  }
}
