import { describeAuthConformance } from './auth-conformance.ts';
import { balenaAuthFactory } from './balena-auth-client.ts';

describeAuthConformance(balenaAuthFactory());
