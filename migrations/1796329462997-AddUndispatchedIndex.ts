import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUndispatchedIndex1796329462997 implements MigrationInterface {
  name = 'AddUndispatchedIndex1796329462997';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_messages_not_dispatched" ON "messages"  ("enqueued_at") WHERE dispatched_at IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_messages_not_dispatched"`);
  }
}
