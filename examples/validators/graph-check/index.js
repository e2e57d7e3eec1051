// The graph copy's validator: the cluster the restore made answers as Neptune, available, on the port the
// app reaches it on. A plain script, so that the example needs no bundling; Lambda's Node.js runtime has the SDK.
const { DescribeDBClustersCommand, NeptuneClient } = require('@aws-sdk/client-neptune');

exports.handler = async (event) => {
  const id = event.attributes.DBClusterIdentifier;
  const { DBClusters: [cluster] = [] } = await new NeptuneClient({}).send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
  if (!cluster || cluster.Status !== 'available') return { passed: false, message: `${id} is ${cluster ? cluster.Status : 'missing'}` };
  if (cluster.Engine !== 'neptune' || String(cluster.Port) !== event.attributes.Port) {
    return { passed: false, message: `${id} is ${cluster.Engine} on port ${cluster.Port}, not neptune on ${event.attributes.Port}` };
  }
  return { passed: true, message: `${id} is available on port ${cluster.Port}, restored from ${event.restorePoint}` };
};
