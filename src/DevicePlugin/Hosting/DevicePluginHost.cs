using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Inventory;
using Platform.DevicePlugin.Registration;
using Platform.DevicePlugin.Serving;
using Platform.DevicePlugin.Transport;

namespace Platform.DevicePlugin.Hosting;

/// <summary>
/// Serves and registers every configured resource, and keeps them registered: a new kubelet.sock or a
/// deleted socket leads to re-listening and re-registering in-process (the inventory is kept, nothing is
/// re-discovered); a failing Register is retried with capped backoff, at once when kubelet.sock appears.
/// Failures are reported as events and retried; the loop never exits early, so no crash loop.
/// </summary>
internal sealed class DevicePluginHost : BackgroundService
{
    private static readonly TimeSpan FastRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan FastRetryWindow = TimeSpan.FromSeconds(2);

    private readonly PluginSettings _settings;
    private readonly DeviceInventory _inventory;
    private readonly EventPublisher _events;
    private readonly DevicePluginStatus _status;
    private readonly TimeProvider _time;
    private readonly Channel<KubeletSignal> _signals = Channel.CreateUnbounded<KubeletSignal>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<ResourceState> _resources;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Func<string, bool>? _hostPathExists;
    private bool _watcherSawDirectory;

    public DevicePluginHost(PluginSettings settings, DeviceInventory inventory, EventPublisher events, DevicePluginStatus status, TimeProvider time, ILoggerFactory loggerFactory, Func<string, bool>? hostPathExists = null)
    {
        _settings = settings;
        _inventory = inventory;
        _events = events;
        _status = status;
        _time = time;
        _loggerFactory = loggerFactory;
        _hostPathExists = hostPathExists;
        _resources = settings.Resources
            .Select(r => new ResourcePlugin(r, settings, inventory, events, time, status, hostPathExists))
            .Select(p => new ResourceState(p, new PluginServer(p, loggerFactory)))
            .ToList();
    }

    internal IReadOnlyList<ResourcePlugin> Plugins => _resources.Select(r => r.Plugin).ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        KubeletWatcher? watcher = null;
        try
        {
            await WaitForInventoryAsync(stoppingToken).ConfigureAwait(false);
            AddInventoryResources();
            watcher = CreateWatcher();
            var nextCheck = _time.GetTimestamp();
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    foreach (var resource in _resources)
                    {
                        await ReconcileAsync(resource, stoppingToken).ConfigureAwait(false);
                    }

                    if (_time.GetElapsedTime(nextCheck) >= TimeSpan.Zero)
                    {
                        if (watcher.WatcherError is not null && !_watcherSawDirectory && Directory.Exists(_settings.KubeletDirectory))
                        {
                            // The directory was missing when the watcher started and exists now: watch it properly.
                            watcher.Dispose();
                            watcher = CreateWatcher();
                        }

                        watcher.Check(socket => _resources.Any(r => r.Plugin.Resource.SocketName == socket && r.Server.IsRunning && !r.NeedsListen));
                        nextCheck = _time.GetTimestamp() + (long)(_settings.KubeletCheckInterval.TotalSeconds * _time.TimestampFrequency);
                    }

                    await WaitAsync(nextCheck, stoppingToken).ConfigureAwait(false);
                    while (_signals.Reader.TryRead(out var signal))
                    {
                        Apply(signal);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Never let the host die on an unexpected failure (that is a crash loop on a node):
                    // report it, wait a little, and go on.
                    foreach (var r in _resources)
                    {
                        _events.Publish(new PluginError(r.Plugin.ResourceName, "reconcile", ex));
                    }

                    await Task.Delay(_settings.RegistrationInitialBackoff, _time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        finally
        {
            watcher?.Dispose();
            foreach (var resource in _resources)
            {
                await StopResourceAsync(resource).ConfigureAwait(false);
            }
        }
    }

    private KubeletWatcher CreateWatcher()
    {
        Exception? error = null;
        try
        {
            Directory.CreateDirectory(_settings.KubeletDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Reported below; the servers retry creating it, and the periodic check still runs.
            error = ex;
        }

        _watcherSawDirectory = Directory.Exists(_settings.KubeletDirectory);
        var watcher = new KubeletWatcher(_settings.KubeletDirectory, _resources.Select(r => r.Plugin.Resource.SocketName).ToArray(), _signals.Writer);
        error ??= watcher.WatcherError;
        if (error is not null)
        {
            foreach (var r in _resources)
            {
                _events.Publish(new PluginError(r.Plugin.ResourceName, "watch-directory", error));
            }
        }

        return watcher;
    }

    private async Task WaitForInventoryAsync(CancellationToken stoppingToken)
    {
        while (!_inventory.Current.IsPopulated)
        {
            await _inventory.WaitForChangeAsync(_inventory.Current.Version, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Resources named by the devices themselves (MIG profiles under the mixed strategy) get their own
    /// plugin and socket, added once the first inventory is in: the layout is fixed for the process's
    /// life (a MIG layout change restarts the agent).
    /// </summary>
    private void AddInventoryResources()
    {
        foreach (var resource in InventoryResources.From(_inventory.Current, _settings))
        {
            var plugin = new ResourcePlugin(resource, _settings, _inventory, _events, _time, _status, _hostPathExists);
            _resources.Add(new ResourceState(plugin, new PluginServer(plugin, _loggerFactory)));
        }
    }

    private async Task ReconcileAsync(ResourceState r, CancellationToken stoppingToken)
    {
        if (r.RetryAt is { } retryAt && _time.GetUtcNow() < retryAt)
        {
            return;
        }

        var name = r.Plugin.ResourceName;
        if (r.NeedsListen)
        {
            try
            {
                var took = await r.Server.StartAsync(stoppingToken).ConfigureAwait(false);
                r.NeedsListen = false;
                r.InUseAttempts = 0;
                _status.Update(name, s => s with { Listening = true, Registered = false });
                _events.Publish(new PluginListening(name, r.Server.SocketPath, took));
            }
            catch (SocketInUseException ex)
            {
                SocketInUse(r, ex);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Failed(r, "listen", ex);
                return;
            }
        }

        if (!r.NeedsRegister)
        {
            return;
        }

        r.Attempt++;
        try
        {
            await KubeletRegistrar.RegisterAsync(r.Plugin, stoppingToken).ConfigureAwait(false);
            r.NeedsRegister = false;
            r.RetryAt = null;
            var now = _time.GetUtcNow();
            _status.Update(name, s => s with { Registered = true, LastRegisteredAt = now, LastError = null });
            _events.Publish(new PluginRegistered(name, r.Plugin.Resource.SocketName, r.Attempt, r.Trigger, Stopwatch.GetElapsedTime(r.TriggerTimestamp)));
            r.Attempt = 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            var delay = RegistrationBackoff.Delay(r.Attempt, _settings.RegistrationInitialBackoff, _settings.RegistrationMaxBackoff);

            // A kubelet.sock that just appeared may not accept yet (bind comes before listen): right after
            // a kubelet restart, retry quickly instead of waiting out the backoff.
            if (_time.GetUtcNow() < r.FastRetryUntil && delay > FastRetryDelay)
            {
                delay = FastRetryDelay;
            }

            r.RetryAt = _time.GetUtcNow() + delay;

            // Without kubelet.sock there is no kubelet on this node (yet): a laptop, or the kubelet starting.
            // That is a state, not an error; the watcher registers as soon as the file appears.
            var kubeletAbsent = !Path.Exists(_settings.KubeletSocketPath);
            var error = kubeletAbsent
                ? $"no kubelet: {_settings.KubeletSocketPath} does not exist; registering as soon as the kubelet creates it"
                : RpcErrorText.Describe(ex);
            _status.Update(name, s => s with { Registered = false, LastError = error });
            _events.Publish(new RegistrationFailed(name, r.Attempt, error, delay, kubeletAbsent));
        }
    }

    private void Failed(ResourceState r, string operation, Exception ex)
    {
        r.Attempt++;
        var delay = RegistrationBackoff.Delay(r.Attempt, _settings.RegistrationInitialBackoff, _settings.RegistrationMaxBackoff);
        r.RetryAt = _time.GetUtcNow() + delay;
        _status.Update(r.Plugin.ResourceName, s => s with { Listening = false, Registered = false, LastError = ex.Message });
        _events.Publish(new PluginError(r.Plugin.ResourceName, operation, ex));
    }

    /// <summary>Another live plugin holds our socket path: leave it, say so once, and try again with backoff.</summary>
    private void SocketInUse(ResourceState r, SocketInUseException ex)
    {
        r.InUseAttempts++;
        var delay = RegistrationBackoff.Delay(r.InUseAttempts, _settings.RegistrationInitialBackoff, _settings.RegistrationMaxBackoff);
        r.RetryAt = _time.GetUtcNow() + delay;
        _status.Update(r.Plugin.ResourceName, s => s with { Listening = false, Registered = false, LastError = ex.Message });
        _events.Publish(new PluginSocketInUse(r.Plugin.ResourceName, ex.SocketPath, r.InUseAttempts, delay));
    }

    private void Apply(KubeletSignal signal)
    {
        foreach (var r in _resources)
        {
            switch (signal.Kind)
            {
                case KubeletSignalKind.PluginSocketDeleted when signal.SocketName == r.Plugin.Resource.SocketName && r.InUseAttempts > 0:
                    // The other plugin let go of the path: try to listen now rather than after the backoff.
                    r.RetryAt = null;
                    break;
                case KubeletSignalKind.PluginSocketDeleted when signal.SocketName == r.Plugin.Resource.SocketName:
                    // Our own stale-socket removal also shows up here: only a socket that is still missing counts.
                    if (!r.NeedsListen && !Path.Exists(r.Server.SocketPath))
                    {
                        Restart(r, signal, "socket-removed", $"socket {signal.SocketName} was deleted ({signal.Source})", relisten: true);
                    }

                    break;
                case KubeletSignalKind.KubeletSocketCreated:
                    Restart(r, signal, signal.Source == "watcher" ? "kubelet-restart" : "periodic-check", $"kubelet.sock was (re)created ({signal.Source})", relisten: !Path.Exists(r.Server.SocketPath));
                    break;
                case KubeletSignalKind.Rescan:
                    if (!Path.Exists(r.Server.SocketPath))
                    {
                        Restart(r, signal, "socket-removed", "watcher overflow; socket missing", relisten: true);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    private void Restart(ResourceState r, KubeletSignal signal, string trigger, string reason, bool relisten)
    {
        _events.Publish(new KubeletRestartDetected(r.Plugin.ResourceName, reason));
        r.NeedsListen |= relisten;
        r.NeedsRegister = true;
        r.RetryAt = null;
        r.Attempt = 0;
        r.Trigger = trigger;
        r.FastRetryUntil = _time.GetUtcNow() + FastRetryWindow;
        r.TriggerTimestamp = signal.ObservedTimestamp;
        _status.Update(r.Plugin.ResourceName, s => s with { Registered = false, Listening = s.Listening && !relisten });
    }

    private TimeSpan NextWakeUp(long nextCheck)
    {
        var now = _time.GetUtcNow();
        var wait = _time.GetElapsedTime(_time.GetTimestamp(), nextCheck);
        foreach (var r in _resources.Where(r => r.RetryAt is not null))
        {
            var untilRetry = r.RetryAt!.Value - now;
            wait = untilRetry < wait ? untilRetry : wait;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    private async Task WaitAsync(long nextCheck, CancellationToken stoppingToken)
    {
        if (_signals.Reader.TryPeek(out _))
        {
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var signal = _signals.Reader.WaitToReadAsync(cts.Token).AsTask();
        var delay = Task.Delay(NextWakeUp(nextCheck), _time, cts.Token);

        // The clock may have moved between computing the delay and arming it (a manual clock in tests,
        // a suspended VM): look again so a due retry is never pushed a whole delay further.
        if (NextWakeUp(nextCheck) > TimeSpan.Zero)
        {
            await Task.WhenAny(signal, delay).ConfigureAwait(false);
        }

        await cts.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
    }

    private async Task StopResourceAsync(ResourceState r)
    {
        try
        {
            await r.Server.StopAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _events.Publish(new PluginError(r.Plugin.ResourceName, "stop", ex));
        }

        _status.Update(r.Plugin.ResourceName, s => s with { Listening = false, Registered = false });
        _events.Publish(new PluginStopped(r.Plugin.ResourceName));
    }
}
