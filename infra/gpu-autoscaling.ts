import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface GpuAutoscalingArgs {
  endpointName: pulumi.Input<string>;
  variantName: string;
  maxInstances: number;
  /** Queued requests per instance the target-tracking policy aims at. */
  backlogPerInstance: number;
}

/**
 * Scale to zero, as "Autoscale an asynchronous endpoint" in the SageMaker Developer Guide shows: minimum capacity 0,
 * target tracking on `ApproximateBacklogSizePerInstance` while instances run, and, since target tracking cannot wake
 * an endpoint with no instance, a step policy that adds one when `HasBacklogWithoutCapacity` is raised.
 */
export function createGpuAutoscaling(args: GpuAutoscalingArgs) {
  const target = new aws.appautoscaling.Target('GpuScalingTarget', {
    serviceNamespace: 'sagemaker',
    scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    resourceId: pulumi.interpolate`endpoint/${args.endpointName}/variant/${args.variantName}`,
    minCapacity: 0,
    maxCapacity: args.maxInstances,
  });
  const dimension = { name: 'EndpointName', value: args.endpointName };
  const backlogPolicy = new aws.appautoscaling.Policy('GpuBacklogPolicy', {
    policyType: 'TargetTrackingScaling',
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: args.backlogPerInstance,
      customizedMetricSpecification: {
        metricName: 'ApproximateBacklogSizePerInstance',
        namespace: 'AWS/SageMaker',
        statistic: 'Average',
        dimensions: [dimension],
      },
      // Quiet for ten minutes before an instance goes: a GPU cold start costs minutes.
      scaleInCooldown: 600,
      scaleOutCooldown: 120,
    },
  });
  const wakePolicy = new aws.appautoscaling.Policy('GpuWakePolicy', {
    policyType: 'StepScaling',
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
    stepScalingPolicyConfiguration: {
      adjustmentType: 'ChangeInCapacity',
      metricAggregationType: 'Average',
      cooldown: 300,
      stepAdjustments: [{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }],
    },
  });
  const wakeAlarm = new aws.cloudwatch.MetricAlarm('GpuBacklogWithoutCapacity', {
    namespace: 'AWS/SageMaker',
    metricName: 'HasBacklogWithoutCapacity',
    dimensions: { EndpointName: args.endpointName },
    statistic: 'Average',
    period: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'missing',
    alarmActions: [wakePolicy.arn],
  });
  return { target, backlogPolicy, wakePolicy, wakeAlarm };
}
