using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Platform.DevicePlugin.Registration;
using Platform.NodeAgent.Dra.Registration;

namespace Platform.NodeAgent.Dra.Serving;

/// <summary>
/// Runs the kubelet plugin while <c>Dra:Enabled</c>: serves both sockets, and serves them anew whenever one
/// is lost, so that the kubelet's plugin watcher registers the driver again without an agent restart (a
/// kubelet restart re-reads the registry directory by itself; a cleaned or re-created directory does not
/// bring our socket back). Failures are logged and retried with capped backoff; the loop never exits early.
/// </summary>
internal sealed partial class DraPluginHost(
    IOptions<DraOptions> options,
    DraSocketServer server,
    DraRegistrationStatus status,
    TimeProvider time,
    ILogger<DraPluginHost> logger) : BackgroundService
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Channel<string> _removed = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>How often the socket files are checked besides the watcher. Default 10 s.</summary>
    internal TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dra = options.Value;
        if (!dra.Enabled)
        {
            return;
        }

        DraSocketWatcher? watcher = null;
        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!server.IsRunning)
                {
                    watcher?.Dispose();
                    watcher = null;
                    try
                    {
                        // Before the sockets exist: the kubelet may register them before StartAsync returns.
                        status.OnServing(dra.DriverName);
                        await server.StartAsync(stoppingToken).ConfigureAwait(false);
                        watcher = new DraSocketWatcher(server.SocketPaths, _removed.Writer);
                        failures = 0;
                        LogServing(dra.DriverName, dra.RegistrationSocketPath, dra.PluginSocketPath);
                        if (watcher.Error is { } watchError)
                        {
                            LogNotWatched(watchError.Message);
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        failures++;
                        var delay = RegistrationBackoff.Delay(failures, InitialBackoff, MaxBackoff);
                        status.OnNotServing(dra.DriverName, ex.Message);
                        LogServeFailed(dra.DriverName, ex.Message, delay.TotalSeconds);
                        await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                        continue;
                    }
                }

                // Checked after the watcher exists, so that a socket lost before it did is not missed.
                if (!server.SocketsIntact())
                {
                    LogSocketLost(dra.DriverName);
                    status.OnNotServing(dra.DriverName, "a socket file was removed; serving again");
                    await server.StopAsync().ConfigureAwait(false);
                    continue;
                }

                await WaitForLossAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        finally
        {
            watcher?.Dispose();
            await server.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Returns on a watcher event or when the periodic check is due.</summary>
    private async Task WaitForLossAsync(CancellationToken stoppingToken)
    {
        using var tick = new CancellationTokenSource(CheckInterval, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, tick.Token);
        try
        {
            await _removed.Reader.WaitToReadAsync(either.Token).ConfigureAwait(false);
            while (_removed.Reader.TryRead(out _))
            {
                // One check covers every event so far.
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The periodic check is due.
        }
    }

    [LoggerMessage(EventId = 1903, Level = LogLevel.Information, Message = "DRA driver {DriverName} serves the kubelet: registration socket {RegistrationSocket}, DRA service {PluginSocket}.")]
    private partial void LogServing(string driverName, string registrationSocket, string pluginSocket);

    [LoggerMessage(EventId = 1904, Level = LogLevel.Warning, Message = "DRA driver {DriverName} cannot serve its sockets: {Reason}; trying again in {DelaySeconds:0.#} s.")]
    private partial void LogServeFailed(string driverName, string reason, double delaySeconds);

    [LoggerMessage(EventId = 1905, Level = LogLevel.Warning, Message = "A socket of DRA driver {DriverName} was removed (kubelet restart or directory re-created); serving again so that the kubelet registers it anew.")]
    private partial void LogSocketLost(string driverName);

    [LoggerMessage(EventId = 1906, Level = LogLevel.Warning, Message = "The DRA socket directories cannot be watched ({Reason}); a lost socket is found by the periodic check instead.")]
    private partial void LogNotWatched(string reason);
}
