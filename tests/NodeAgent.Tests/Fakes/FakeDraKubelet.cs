using System.Threading.Channels;
using Grpc.Net.Client;
using Platform.DevicePlugin.Transport;
using Pluginregistration;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>A plugin the fake kubelet registered: what GetInfo said, and channels to its DRA service.</summary>
internal sealed record DraRegistration(string RegistrationSocket, PluginInfo Info);

/// <summary>
/// An in-process kubelet plugin watcher over real Unix sockets: watches the registry directory (and scans it
/// at start and on <see cref="Restart"/>, as a starting kubelet does), calls GetInfo on every socket that
/// appears, checks the answer the way the kubelet's DRA handler does (type, absolute endpoint, a supported
/// version), and tells the plugin its verdict with NotifyRegistrationStatus.
/// </summary>
internal sealed class FakeDraKubelet : IDisposable
{
    private readonly string _directory;
    private readonly Channel<DraRegistration> _registrations = System.Threading.Channels.Channel.CreateUnbounded<DraRegistration>();
    private readonly List<GrpcChannel> _channels = [];
    private FileSystemWatcher? _watcher;

    public FakeDraKubelet(string registryDirectory)
    {
        _directory = registryDirectory;
        Restart();
    }

    /// <summary>Registrations that failed, for the message of a test that waited in vain.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>When set, the verdict is "not registered" with this error.</summary>
    public string? RejectWith { get; set; }

    public async Task<DraRegistration> NextRegistrationAsync()
    {
        try
        {
            return await _registrations.Reader.ReadAsync().AsTask().DefaultTimeout();
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"no registration; failed ones: {string.Join("; ", Failures)}", ex);
        }
    }

    /// <summary>A kubelet restart: a new watch on the directory (it may have been re-created) and a scan of what is there.</summary>
    public void Restart()
    {
        _watcher?.Dispose();
        Directory.CreateDirectory(_directory);
        _watcher = new FileSystemWatcher(_directory) { NotifyFilter = NotifyFilters.FileName, IncludeSubdirectories = false };
        // fsnotify reports a file renamed into the directory as created, and so does the kubelet.
        _watcher.Created += (_, e) => _ = RegisterAsync(e.FullPath);
        _watcher.Renamed += (_, e) => _ = RegisterAsync(e.FullPath);
        _watcher.EnableRaisingEvents = true;
        foreach (var socket in Directory.GetFiles(_directory))
        {
            _ = RegisterAsync(socket);
        }
    }

    public K8S.Io.Kubelet.Pkg.Apis.Dra.V1.DRAPlugin.DRAPluginClient V1(DraRegistration registration) => new(Connect(registration.Info.Endpoint));

    public K8S.Io.Kubelet.Pkg.Apis.Dra.V1Beta1.DRAPlugin.DRAPluginClient V1Beta1(DraRegistration registration) => new(Connect(registration.Info.Endpoint));

    public void Dispose()
    {
        _watcher?.Dispose();
        lock (_channels)
        {
            foreach (var channel in _channels)
            {
                channel.Dispose();
            }
        }
    }

    private GrpcChannel Connect(string socket)
    {
        var channel = UnixSocketChannel.Create(socket);
        lock (_channels)
        {
            _channels.Add(channel);
        }

        return channel;
    }

    private async Task RegisterAsync(string socket)
    {
        // The kubelet's plugin watcher skips dot files.
        if (!socket.EndsWith("-reg.sock", StringComparison.Ordinal) || Path.GetFileName(socket).StartsWith('.'))
        {
            return;
        }

        using var channel = UnixSocketChannel.Create(socket);
        var client = new Registration.RegistrationClient(channel);
        try
        {
            var info = await client.GetInfoAsync(new InfoRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            var error = RejectWith
                ?? (info.Type != "DRAPlugin" ? $"type {info.Type} is not DRAPlugin" : null)
                ?? (!Path.IsPathRooted(info.Endpoint) ? $"endpoint {info.Endpoint} is not absolute" : null)
                ?? (!info.SupportedVersions.Contains("v1.DRAPlugin") ? "no supported version" : null);
            await client.NotifyRegistrationStatusAsync(new RegistrationStatus { PluginRegistered = error is null, Error = error ?? string.Empty }, deadline: DateTime.UtcNow.AddSeconds(10));
            _registrations.Writer.TryWrite(new DraRegistration(socket, info));
        }
        catch (Grpc.Core.RpcException ex)
        {
            Failures.Enqueue($"{socket}: {ex.Status}");
        }
    }
}
