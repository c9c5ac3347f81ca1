namespace Acme.Store
{
    public record Order(int Id, decimal Total);
}
