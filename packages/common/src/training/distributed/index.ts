// Data-parallel training (trainer_type accelerate): a gradient strategy whose rank 0 launches worker threads that
// train replicas of the module on shards of every global batch and average gradients through shared memory.
export { DataParallelStrategy, shardRange, type DataParallelOptions } from './data-parallel';
export type { Replica, ReplicaContext, ReplicaFactory, ReplicaFactoryRef } from './replica';
