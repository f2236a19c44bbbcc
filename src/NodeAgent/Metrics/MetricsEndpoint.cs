using System.Text;

namespace Platform.NodeAgent.Metrics;

internal static class MetricsEndpoint
{
    /// <summary><c>/metrics</c>: renders the last snapshot; never calls the driver or the kubelet.</summary>
    public static void MapGpuMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/metrics", static async context =>
        {
            var view = context.RequestServices.GetRequiredService<MetricsViewSource>().Current();
            var text = new StringBuilder(8 * 1024);
            MetricsWriter.Write(text, view);
            context.Response.ContentType = MetricsWriter.ContentType;

            // Encode chunk by chunk into the response pipe: one string of the whole page would land on the
            // large-object heap on every scrape (8 GPUs with pods is ~45 K characters) and drive full GCs.
            var writer = context.Response.BodyWriter;
            foreach (var chunk in text.GetChunks())
            {
                var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length));
                writer.Advance(Encoding.UTF8.GetBytes(chunk.Span, span));
            }

            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        });
}
