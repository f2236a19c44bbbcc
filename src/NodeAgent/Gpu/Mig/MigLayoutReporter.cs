using Microsoft.Extensions.Options;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Gpu.Mig;

/// <summary>
/// Says once at start what the MIG strategy advertises, and when the layout cannot be advertised says
/// so in the log and as a Warning Event on the Node (<c>kubectl describe node</c>), next to /readyz.
/// </summary>
internal sealed partial class MigLayoutReporter(
    MigPlan plan,
    KubernetesConnection kubernetes,
    IOptions<NodeOptions> node,
    TimeProvider time,
    ILogger<MigLayoutReporter> logger) : BackgroundService
{
    private readonly ILogger<MigLayoutReporter> _logger = logger;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var strategy = MigStrategies.Name(plan.Strategy);
        if (plan.Problem is null)
        {
            foreach (var group in plan.AdvertisedMig.Values.GroupBy(m => m.Profile).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                LogAdvertised(strategy, group.Count(), group.Key);
            }

            return;
        }

        LogLayoutProblem(strategy, plan.Problem);
        if (kubernetes.Api is not { } api || node.Value.Name is not { Length: > 0 } nodeName)
        {
            return;
        }

        try
        {
            await api.CreateNodeEventAsync(
                new NodeEvent(nodeName, "Warning", "MigLayoutInvalid", "MigStrategy", $"MIG strategy {strategy}: {plan.Problem}; no GPUs are advertised.", time.GetUtcNow()),
                stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogEventFailed(nodeName, ex.Message);
        }
    }

    [LoggerMessage(EventId = 1800, Level = LogLevel.Information, Message = "MIG strategy {Strategy} advertises {Count} MIG devices of profile {Profile}.")]
    private partial void LogAdvertised(string strategy, int count, string profile);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Error, Message = "MIG strategy {Strategy} cannot advertise this node's layout, so no GPUs are advertised: {Problem}")]
    private partial void LogLayoutProblem(string strategy, string problem);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Warning, Message = "Could not create the MigLayoutInvalid Event on Node {NodeName}: {Error}")]
    private partial void LogEventFailed(string nodeName, string error);
}
