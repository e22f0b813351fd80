// What moto does not do that AWS does (CopyImage's TagSpecifications, a promoted replica losing its
// source), for every test; the realistic layer stays instant unless a test asks for it.
import { installMotoGapAdapters } from '../../local/moto-gaps';
import { installRealisticAws } from '../../local/realistic-aws/realistic-aws';

installMotoGapAdapters();
installRealisticAws();
