import { DataSource } from 'typeorm';

import { loadConfig, processEnvironment } from '../config';
import { buildDataSourceOptions } from './data-source-options';

/** Data source for the TypeORM CLI (`migration:generate`), from the same validated config. */
export default new DataSource(buildDataSourceOptions(loadConfig(processEnvironment()).database));
