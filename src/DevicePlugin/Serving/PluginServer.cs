using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.DevicePlugin.Transport;

namespace Platform.DevicePlugin.Serving;

/// <summary>
/// One Kestrel server (HTTP/2 cleartext) serving <c>v1beta1.DevicePlugin</c> for one resource on its Unix
/// socket. A kubelet restart deletes the socket file, which leaves the listener unreachable, so the server
/// is stopped and started again in-process (devices are not re-discovered: the inventory is untouched).
/// </summary>
internal sealed class PluginServer(ResourcePlugin plugin, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private WebApplication? _app;
    private (DateTime Written, DateTime Created) _socketIdentity;

    public string SocketPath => Path.Combine(plugin.Settings.KubeletDirectory, plugin.Resource.SocketName);

    public bool IsRunning => _app is not null;

    /// <summary>
    /// Removes a stale socket, listens, and proves it serves by calling itself; returns the time it took.
    /// Throws <see cref="SocketInUseException"/> when another live process serves the socket path.
    /// </summary>
    public async Task<TimeSpan> StartAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await StopAsync().ConfigureAwait(false);
        Directory.CreateDirectory(plugin.Settings.KubeletDirectory);

        // Kestrel refuses to bind over an existing file. A file nobody answers on is a leftover of a dead
        // process and goes; one that answers belongs to a live plugin (NVIDIA's uses the same name) and stays.
        if (await SocketProbe.IsServedAsync(SocketPath, ProbeTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new SocketInUseException(SocketPath);
        }

        File.Delete(SocketPath);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        // The agent's own configuration (appsettings.json, ASPNETCORE_* variables) must not reach this server:
        // a Kestrel:Endpoints section there would make it bind the agent's ports too.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        // The outer host owns signals and shutdown; this inner server must not hook SIGTERM/Ctrl+C.
        builder.Services.AddSingleton<IHostLifetime, NoopHostLifetime>();
        builder.Services.AddSingleton(plugin);
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUnixSocket(SocketPath, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        app.MapGrpcService<DevicePluginService>();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            _app = app;
            _socketIdentity = Identity(SocketPath);
            await ProbeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Ends the streams, stops the server and removes the socket file if it is still the one it created.</summary>
    public async Task StopAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        plugin.Streams.StopAll();
        if (app is null)
        {
            // Never served: whatever is at the path belongs to someone else.
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }

        // After a kubelet restart another plugin may have bound the path anew: only our own file goes.
        if (Identity(SocketPath) == _socketIdentity)
        {
            TryDeleteSocket();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>The kubelet dials back as soon as we register; make sure that dial will succeed first.</summary>
    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var channel = UnixSocketChannel.Create(SocketPath);
        var client = new V1Beta1.DevicePlugin.DevicePluginClient(channel);
        await client.GetDevicePluginOptionsAsync(new V1Beta1.Empty(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static (DateTime Written, DateTime Created) Identity(string path)
    {
        var info = new FileInfo(path);
        return Path.Exists(path) ? (info.LastWriteTimeUtc, info.CreationTimeUtc) : default;
    }

    private void TryDeleteSocket()
    {
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
            // Already gone or replaced: nothing of ours to clean.
        }
        catch (UnauthorizedAccessException)
        {
            // Directory no longer writable (unmounted on shutdown): nothing more we can do.
        }
    }

    private sealed class NoopHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
