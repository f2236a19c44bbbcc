using Microsoft.Extensions.Options;

namespace Platform.Webhook.Health;

/// <summary>
/// On SIGTERM, before any listener closes: <c>/readyz</c> turns false, then the process keeps
/// serving for <c>Health:ShutdownDelaySeconds</c> while the endpoints controller takes the pod out
/// of the Service. Kestrel then stops accepting and lets in-flight requests finish.
/// </summary>
internal sealed partial class GracefulShutdown(
    Readiness readiness, IOptions<HealthOptions> options, TimeProvider time, ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        readiness.MarkShuttingDown();
        var delay = TimeSpan.FromSeconds(options.Value.ShutdownDelaySeconds);
        LogShuttingDown(logger, delay.TotalSeconds);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout ran out first: stop now.
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information,
        Message = "Shutting down: /readyz now answers 503; listeners close in {ShutdownDelaySeconds} s, then in-flight requests finish.")]
    private static partial void LogShuttingDown(ILogger logger, double shutdownDelaySeconds);
}
