import 'reflect-metadata';
import { runService } from '@hum/runtime';
import { TicketDispatcherModule } from './app.module';
import { loadDispatcherConfig, SERVICE_NAME } from './config';

void runService(
  {
    name: SERVICE_NAME,
    loadConfig: loadDispatcherConfig,
    module: (config, runtime) => TicketDispatcherModule.register(config, runtime),
    // The Jira webhook's signature covers the raw bytes: the controller reads the body itself.
    bodyParser: false,
  },
  process.env,
);
