// What moto does not do that AWS does (CopyImage's TagSpecifications), for every test.
import { installMotoGapAdapters } from '../../local/moto-gaps';

installMotoGapAdapters();
