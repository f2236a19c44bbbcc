using System.Diagnostics;
using Grpc.Core;
using Platform.DevicePlugin.Events;
using V1Beta1;

namespace Platform.DevicePlugin.Serving;

/// <summary>
/// Runs the ListAndWatch streams of one resource. Each stream sends the complete list at once, then the
/// latest list after every inventory change; changes that arrive while a send is in flight, or within the
/// coalescing window, become one message. Each stream waits on its own, so a slow or dead kubelet
/// connection delays nobody else, and every stream ends when its client goes or the plugin stops.
/// </summary>
internal sealed class ListAndWatchStreams(ResourcePlugin plugin)
{
    private CancellationTokenSource _stopping = new();
    private long _nextStreamId;
    private int _active;

    public int Active => Volatile.Read(ref _active);

    public async Task RunAsync(IServerStreamWriter<ListAndWatchResponse> writer, CancellationToken requestAborted)
    {
        var streamId = Interlocked.Increment(ref _nextStreamId);
        var stopping = Volatile.Read(ref _stopping).Token;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping);
        var token = linked.Token;
        Opened(streamId);
        var reason = "client-gone";
        try
        {
            long sentVersion = -1;
            ListAndWatchResponse? last = null;
            var coalesce = plugin.Settings.ListAndWatchCoalesce;
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                var layout = plugin.CurrentLayout();
                var message = plugin.BuildDeviceList(layout);

                // Health reason texts or links can change without changing what the kubelet sees: skip those.
                if (!message.Equals(last))
                {
                    await writer.WriteAsync(message, token).ConfigureAwait(false);
                    last = message;
                    var healthy = message.Devices.Count(d => d.Health == KubeletPaths.Healthy);
                    plugin.Events.Publish(new DeviceListSent(plugin.ResourceName, streamId, layout.InventoryVersion, healthy, message.Devices.Count - healthy, Stopwatch.GetElapsedTime(started))
                    {
                        Gpus = layout.ReplicasPerGpu.Count,
                    });
                }

                sentVersion = layout.InventoryVersion;
                await plugin.Inventory.WaitForChangeAsync(sentVersion, token).ConfigureAwait(false);
                if (coalesce > TimeSpan.Zero)
                {
                    await Task.Delay(coalesce, plugin.TimeProvider, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            reason = stopping.IsCancellationRequested ? "plugin-stopping" : "client-gone";
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or RpcException)
        {
            reason = $"send failed: {ex.Message}";
        }
        finally
        {
            Closed(streamId, reason);
        }
    }

    /// <summary>Ends every open stream (the plugin is stopping or re-listening); later streams start fresh.</summary>
    public void StopAll()
    {
        var old = Interlocked.Exchange(ref _stopping, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
    }

    private void Opened(long streamId)
    {
        var active = Interlocked.Increment(ref _active);
        plugin.Status.Update(plugin.ResourceName, s => s with { ActiveStreams = active });
        plugin.Events.Publish(new ListAndWatchOpened(plugin.ResourceName, streamId, active));
    }

    private void Closed(long streamId, string reason)
    {
        var active = Interlocked.Decrement(ref _active);
        plugin.Status.Update(plugin.ResourceName, s => s with { ActiveStreams = active });
        plugin.Events.Publish(new ListAndWatchClosed(plugin.ResourceName, streamId, reason, active));
    }
}
